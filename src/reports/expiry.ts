import fs from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { reportFilePath } from './render.ts';

/** Deletes the files of finished jobs past their expiry; the jobs then read as DELETED. Returns how many. */
export async function expireReportFiles(db: Kysely<Schema>, reportsDir: string, now: Date): Promise<number> {
  const { rows } = await sql<{ file_name: string | null }>`
    update report_jobs new set status = 'DELETED', updated_at = ${now.toISOString()}::timestamptz,
      file_name = null, expires_at = null
    from report_jobs old
    where new.id = old.id and old.status = 'DONE' and old.expires_at <= ${now.toISOString()}::timestamptz
    returning old.file_name`.execute(db);
  for (const { file_name } of rows) {
    if (file_name) await fs.promises.rm(reportFilePath(reportsDir, file_name), { force: true });
  }
  return rows.length;
}
