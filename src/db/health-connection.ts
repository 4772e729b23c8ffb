import pg from 'pg';

/**
 * A connection of its own for health checks on PostgreSQL. Asked through the
 * pool, a check waited for a free connection behind busy requests, and when
 * none came within the connect timeout a busy database read as a dead one
 * (health 404, and a liveness probe would restart a process that was only
 * loaded). Made on first use and again after it fails; one check at a time
 * (the caller asks one at a time). A check not answered in `answerTimeoutMs`
 * ends the connection, still waiting for that answer, and fails.
 */
export function healthConnection(
  connectionString: string,
  options: { connectTimeoutMs: number; answerTimeoutMs: number; startupOptions: string },
): { ping(): Promise<void>; close(): Promise<void> } {
  let client: pg.Client | undefined;

  async function connected(): Promise<pg.Client> {
    if (client) return client;
    const fresh = new pg.Client({
      connectionString,
      connectionTimeoutMillis: options.connectTimeoutMs,
      keepAlive: true,
      options: options.startupOptions,
    });
    // An error between checks (the server restarted) only means the next check connects again.
    fresh.on('error', () => {
      if (client === fresh) client = undefined;
    });
    await fresh.connect();
    return (client = fresh);
  }

  function forget(broken: pg.Client) {
    if (client === broken) client = undefined;
    void broken.end().catch(() => {});
  }

  return {
    async ping() {
      const checking = await connected();
      let timer: NodeJS.Timeout | undefined;
      const unanswered = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(Object.assign(new Error(`the database did not answer within ${options.answerTimeoutMs} ms`), { code: 'ETIMEDOUT' })),
          options.answerTimeoutMs,
        );
      });
      try {
        await Promise.race([checking.query('select 1'), unanswered]);
      } catch (error) {
        forget(checking);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const last = client;
      client = undefined;
      await last?.end().catch(() => {});
    },
  };
}
