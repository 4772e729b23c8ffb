/**
 * Query strings as the platform's frontend sends them: a repeated key takes its
 * first value (rather than becoming an array a schema would refuse).
 */
export function parseQueryString(text: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    if (!(key in query)) query[key] = value;
  }
  return query;
}
