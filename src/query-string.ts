/** Keys whose repeated values form one comma-separated list (`id_list=1&id_list=3` is `id_list=1,3`). */
const LIST_KEYS = new Set(['id_list']);

/**
 * Query strings as the platform's frontend sends them: a repeated key takes
 * its first value (rather than becoming an array a schema would refuse), and
 * an empty value counts as not given, as the frontend sends unset filters.
 */
export function parseQueryString(text: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (value === '') continue;
    if (!(key in query)) query[key] = value;
    else if (LIST_KEYS.has(key)) query[key] += `,${value}`;
  }
  return query;
}
