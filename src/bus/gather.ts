const TIMED_OUT = Symbol('timed out');

/**
 * Takes messages from an endless iterator in batches: waits up to `idleMs`
 * for the first, then up to `fillMs` more for the rest, up to `max`. A
 * message asked for and not yet come when a batch ends goes to the next one.
 */
export class Gatherer<T> {
  readonly #iterator: AsyncIterator<T>;
  #asked?: Promise<IteratorResult<T>>;
  #done = false;

  constructor(iterable: AsyncIterable<T>) {
    this.#iterator = iterable[Symbol.asyncIterator]();
  }

  get done() {
    return this.#done;
  }

  async take(max: number, idleMs: number, fillMs: number): Promise<T[]> {
    const taken: T[] = [];
    let timer: NodeJS.Timeout | undefined;
    const until = (ms: number) =>
      new Promise<typeof TIMED_OUT>((resolve) => {
        clearTimeout(timer);
        timer = setTimeout(() => resolve(TIMED_OUT), ms);
      });
    try {
      let deadline = until(idleMs);
      while (taken.length < max && !this.#done) {
        this.#asked ??= this.#iterator.next();
        const next = await Promise.race([this.#asked, deadline]);
        if (next === TIMED_OUT) break;
        this.#asked = undefined;
        if (next.done) this.#done = true;
        else {
          taken.push(next.value);
          if (taken.length === 1) deadline = until(fillMs);
        }
      }
      return taken;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Whatever has come already, without waiting. */
  async drain(): Promise<T[]> {
    return this.take(Number.MAX_SAFE_INTEGER, 0, 0);
  }
}
