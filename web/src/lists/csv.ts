import { api, queryString, saveBlob } from '../api.ts';

/** Rows fetched for one CSV at most: enough for a filter a person looks at; a report job does more. */
export const CSV_MAX_ROWS = 50_000;
const PAGE = 1000;

const cell = (value: unknown) => {
  const text = value === undefined || value === null ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** CSV text of rows: a column per field any row has, in the order first seen. */
export function toCsv(rows: Record<string, unknown>[]): string {
  const fields = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  return [fields.join(','), ...rows.map((row) => fields.map((field) => cell(row[field])).join(','))].join('\r\n') + '\r\n';
}

/** Every row of a list's current filter and sort, page by page, up to CSV_MAX_ROWS; downloads it as `name`. */
export async function downloadCsv(endpoint: string, params: Record<string, string | number | undefined>, name: string) {
  const rows: Record<string, unknown>[] = [];
  for (let page = 0; rows.length < CSV_MAX_ROWS; page += 1) {
    const answer = await api<{ count: number; data: Record<string, unknown>[] }>(
      `${endpoint}${queryString({ ...params, page, page_size: PAGE })}`,
    );
    rows.push(...answer.data);
    if (answer.data.length < PAGE || rows.length >= answer.count) break;
  }
  saveBlob(new Blob([toCsv(rows.slice(0, CSV_MAX_ROWS))], { type: 'text/csv' }), name);
}
