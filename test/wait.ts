import { setTimeout as sleep } from 'node:timers/promises';

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `probe` until it returns something truthy (which it resolves with),
 * every `intervalMs`; fails after `timeoutMs` naming `what`. The one way tests
 * wait for something to happen, instead of a bare sleep.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { what = 'the condition', timeoutMs = 15_000, intervalMs = 50 }: { what?: string; timeoutMs?: number; intervalMs?: number } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    let failure: unknown;
    try {
      value = await probe();
    } catch (error) {
      // Not yet, perhaps: a file or a process may not exist yet.
      failure = error;
    }
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs} ms for ${what}${failure ? `; last: ${(failure as Error).message}` : ''}`);
    }
    await sleep(intervalMs);
  }
}
