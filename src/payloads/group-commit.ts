import type { StatusEvent } from './ingest.validate.ts';

/** Stores groups of events in one transaction; answers how many of each group's events were new. */
export type StoreGroups = (groups: StatusEvent[][]) => Promise<number[]>;

interface Waiting {
  events: StatusEvent[];
  resolve: (stored: number) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: the events of concurrent ingest requests are stored together,
 * in one transaction, so one event per request costs about what it costs in a
 * batch (a transaction's commit is most of a small request's cost).
 *
 * Up to `concurrency` stores run at once, and requests arriving meanwhile
 * join the next one, up to `maxEvents` events each. Alone, a request is
 * stored at once. But a store about to start with fewer than half the
 * requests of the last one waits up to `windowMs` for more: the clients the
 * last commit answered are sending their next requests, and storing the first
 * of them alone would make every other commit a commit of one. Each request
 * is answered after the commit that stored its events. If a store of several
 * requests fails, each is stored again on its own, so a request the database
 * refuses fails alone.
 */
export class GroupCommit {
  readonly #store: StoreGroups;
  readonly #concurrency: number;
  readonly #maxEvents: number;
  readonly #windowMs: number;
  readonly #onBatch: (requests: number) => void;
  #waiting: Waiting[] = [];
  #running = 0;
  /** Requests in the last store started. */
  #lastBatch = 0;
  #window?: NodeJS.Timeout;

  constructor(
    store: StoreGroups,
    options: { concurrency: number; maxEvents: number; windowMs: number; onBatch?: (requests: number) => void },
  ) {
    this.#store = store;
    this.#concurrency = options.concurrency;
    this.#maxEvents = options.maxEvents;
    this.#windowMs = options.windowMs;
    this.#onBatch = options.onBatch ?? (() => {});
  }

  /** Stores one request's events; answers how many were new. */
  store(events: StatusEvent[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ events, resolve, reject });
      this.#startStores();
    });
  }

  #startStores() {
    while (this.#running < this.#concurrency && this.#waiting.length > 0) {
      if (2 * this.#waiting.length < this.#lastBatch) {
        this.#window ??= setTimeout(() => {
          this.#window = undefined;
          this.#lastBatch = 0;
          this.#startStores();
        }, this.#windowMs);
        return;
      }
      clearTimeout(this.#window);
      this.#window = undefined;
      const batch = this.#takeBatch();
      this.#lastBatch = batch.length;
      this.#running++;
      void this.#storeBatch(batch).finally(() => {
        this.#running--;
        this.#startStores();
      });
    }
  }

  /** The requests waiting longest, up to maxEvents events (a bigger request goes alone). */
  #takeBatch(): Waiting[] {
    let events = this.#waiting[0].events.length;
    let count = 1;
    while (count < this.#waiting.length && events + this.#waiting[count].events.length <= this.#maxEvents) {
      events += this.#waiting[count].events.length;
      count++;
    }
    return this.#waiting.splice(0, count);
  }

  async #storeBatch(batch: Waiting[]) {
    this.#onBatch(batch.length);
    try {
      const stored = await this.#store(batch.map((request) => request.events));
      batch.forEach((request, index) => request.resolve(stored[index]));
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      for (const request of batch) {
        await this.#store([request.events]).then(([stored]) => request.resolve(stored), request.reject);
      }
    }
  }
}
