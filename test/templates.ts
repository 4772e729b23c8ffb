/**
 * Migrated databases to copy, so that a test's fresh database costs a copy
 * rather than a migration (and, on PGlite, an initdb). Each is named by a
 * digest of the migrations, so a changed migration makes a new one; made once
 * for the whole suite, under a lock, by whichever test file needs it first.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../src/db/create-db.ts';
import { migrate, type Migration } from '../src/db/migrate.ts';
import { createServerDatabase, withAdminClient } from '../src/db/server-databases.ts';
import { waitFor } from './wait.ts';

const PGLITE_VERSION: string = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, '..', 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'),
).version;

function digestOf(migrations: Migration[], engine: string): string {
  const hash = crypto.createHash('sha256').update(engine);
  for (const migration of migrations) hash.update(`${migration.version}\0${migration.sql}\0`);
  return hash.digest('hex').slice(0, 16);
}

let image: Promise<Blob> | undefined;

/**
 * A migrated PGlite data directory image, kept in the temporary directory
 * between runs (written aside and renamed, so a reader never sees half of one).
 */
export function pgliteImage(migrations: Migration[]): Promise<Blob> {
  image ??= (async () => {
    const file = path.join(os.tmpdir(), `tracker-test-template-${digestOf(migrations, `pglite ${PGLITE_VERSION}`)}.tar`);
    if (fs.existsSync(file)) return new Blob([fs.readFileSync(file)]);
    const database = createDb({});
    try {
      await migrate(database, migrations);
      const made = await database.image!();
      const draft = `${file}.${process.pid}`;
      fs.writeFileSync(draft, Buffer.from(await made.arrayBuffer()));
      fs.renameSync(draft, file);
      for (const old of fs.readdirSync(os.tmpdir()).filter((name) => /^tracker-test-template-\w+\.tar$/.test(name))) {
        if (path.join(os.tmpdir(), old) !== file) fs.rmSync(path.join(os.tmpdir(), old), { force: true });
      }
      return made;
    } finally {
      await database.close();
    }
  })();
  return image;
}

// Any fixed number: it only has to be the same in every test process.
const TEMPLATE_LOCK = 7_202_612;

/** The name of a migrated template database on the server, made if missing (older templates are dropped). */
export async function serverTemplate(serverUrl: string, migrations: Migration[]): Promise<string> {
  const name = `tracker_template_${digestOf(migrations, 'postgres')}`;
  return withAdminClient(serverUrl, async (client) => {
    await client.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like 'tracker_template_%'");
      if (rows.some((row) => row.datname === name)) return name;
      for (const old of rows) await client.query(`drop database if exists ${old.datname}`);
      // Migrated under another name, then renamed: a copy is only ever taken of a whole one.
      const draft = await createServerDatabase(serverUrl);
      const draftName = new URL(draft.url).pathname.slice(1);
      try {
        const database = createDb({ databaseUrl: draft.url });
        try {
          await migrate(database, migrations);
        } finally {
          await database.close();
        }
        // A closed pool's server sessions end a moment later; neither a rename nor a copy may overlap one.
        await waitFor(
          async () =>
            (await client.query('select not exists (select from pg_stat_activity where datname = $1) as idle', [draftName])).rows[0].idle,
          { what: `the sessions of ${draftName} to end`, intervalMs: 20 },
        );
        await client.query(`alter database ${draftName} rename to ${name}`);
      } catch (error) {
        await draft.drop();
        throw error;
      }
      return name;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}
