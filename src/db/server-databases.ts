import crypto from 'node:crypto';
import pg from 'pg';

/**
 * Databases made and dropped on a PostgreSQL server, for the tests and the
 * benchmark (never the service, which is given its database).
 */

/**
 * A new database on the PostgreSQL server at `serverUrl`, and how to drop it:
 * empty, or a copy of the database `template`.
 */
export async function createServerDatabase(serverUrl: string, template?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tracker_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`create database ${name}${template ? ` template ${template}` : ''}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdminClient(serverUrl, (client) => client.query(`drop database if exists ${name} with (force)`)).then(() => {}),
  };
}

export async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
