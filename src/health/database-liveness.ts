/** How long a health answer waits for the database before it answers with what it knows. */
const ANSWER_WITHIN_MS = 50;

export type Liveness = { alive: true; message: string } | { alive: false; message: string };

/**
 * Whether the database answers, told after at most 50 ms whatever the database
 * does. One `select 1` runs at a time, and every health check in the
 * meantime joins it, so a stalled database is asked once, not once per
 * probe. If it has not answered within 50 ms of being asked, the check answers from the
 * evidence: alive while the question is younger than `deadAfterMs` and the
 * last one was answered; not alive once the last one failed (until one
 * succeeds) or the pending one is older than that. On the embedded database a
 * report's statement or a batch of ingest runs before the `select 1`: that
 * is a busy database, not a dead one.
 */
export class DatabaseLiveness {
  private pending: { since: number; answer: Promise<Error | undefined> } | undefined;
  private lastFailure: Error | undefined;
  private readonly ping: () => Promise<unknown>;
  private readonly deadAfterMs: number;

  /**
   * `ping` asks the database (Database.ping: on PostgreSQL on a connection of its own, not the
   * pool's); `deadAfterMs`: how long an unanswered question takes to mean the database is gone.
   */
  constructor(ping: () => Promise<unknown>, deadAfterMs: number) {
    this.ping = ping;
    this.deadAfterMs = deadAfterMs;
  }

  async check(): Promise<Liveness> {
    const pending = (this.pending ??= this.ask());
    // Waited for until the question is 50 ms old: a check joining an older one answers at once.
    // (Each check waiting its own 150 ms, behind statements holding the event loop, took up to 430 ms.)
    const waitMs = Math.max(0, ANSWER_WITHIN_MS - (Date.now() - pending.since));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waiting'>((resolve) => (timer = setTimeout(() => resolve('waiting'), waitMs)));
    const outcome = await Promise.race([pending.answer, waited]);
    clearTimeout(timer);
    if (outcome !== 'waiting') return outcome ? dead(outcome) : { alive: true, message: 'liveness checks passed' };
    if (this.lastFailure) return dead(this.lastFailure);
    const waitingMs = Date.now() - pending.since;
    if (waitingMs >= this.deadAfterMs)
      return { alive: false, message: `liveness checks failed: the database has not answered for ${seconds(waitingMs)}` };
    return { alive: true, message: `liveness checks passed; the database is busy (a check has waited ${seconds(waitingMs)})` };
  }

  private ask() {
    const answer = this.ping().then(
      () => (this.lastFailure = undefined),
      (error: Error) => (this.lastFailure = error),
    );
    const pending = { since: Date.now(), answer: answer.finally(() => (this.pending = undefined)) };
    return pending;
  }
}

function dead(error: Error): Liveness {
  return { alive: false, message: `liveness checks failed: the database did not answer (${error.message})` };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
