import fs from 'node:fs';
import { once } from 'node:events';

export const REPORT_FORMATS = ['csv', 'json', 'json_bulk'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  json_bulk: 'application/x-ndjson',
};
export const EXTENSIONS: Record<ReportFormat, string> = { csv: 'csv', json: 'json', json_bulk: 'ndjson' };

export type ReportRow = Record<string, unknown>;

/** A spreadsheet reads a cell starting with one of these as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell, RFC 4180 quoted; formula-looking text is defused with a leading apostrophe. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Leaves out absent values, as the API does. */
function jsonRow(row: ReportRow): string {
  return JSON.stringify(row, (_key, value) => (value === null ? undefined : value));
}

/**
 * Writes rows to a file as they come, waiting when the disk is slower than the
 * database, so that memory stays flat however many rows there are.
 */
export class ReportFileWriter {
  private readonly stream: fs.WriteStream;
  private readonly format: ReportFormat;
  private readonly columns: string[];
  private rows = 0;

  constructor(path: string, format: ReportFormat, columns: string[]) {
    this.stream = fs.createWriteStream(path, { flags: 'wx' });
    this.format = format;
    this.columns = columns;
  }

  private async put(text: string) {
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async begin() {
    if (this.format === 'csv') await this.put(`${this.columns.map(csvCell).join(',')}\r\n`);
    if (this.format === 'json') await this.put('[');
  }

  async write(rows: ReportRow[]) {
    let text = '';
    for (const row of rows) {
      if (this.format === 'csv') text += `${this.columns.map((column) => csvCell(row[column])).join(',')}\r\n`;
      else if (this.format === 'json') text += `${this.rows > 0 ? ',' : ''}\n${jsonRow(row)}`;
      else text += `${jsonRow(row)}\n`;
      this.rows++;
    }
    await this.put(text);
  }

  /** Finishes the document and makes sure it is on disk; returns the rows written. */
  async end(): Promise<number> {
    if (this.format === 'json') await this.put(this.rows > 0 ? '\n]\n' : ']\n');
    this.stream.end();
    await once(this.stream, 'finish');
    const handle = await fs.promises.open(this.stream.path, 'r');
    await handle.sync();
    await handle.close();
    return this.rows;
  }

  /** Abandons the file. */
  async discard() {
    this.stream.destroy();
    await fs.promises.rm(this.stream.path, { force: true });
  }
}
