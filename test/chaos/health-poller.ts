import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface HealthPolls {
  polls: number;
  p50Ms: number;
  maxMs: number;
  /** Polls that took longer than the limit, or got no answer. */
  slow: { at: string; ms: number; status: number | string }[];
  /** Answers by status code (or the error, for a poll that got none). */
  statuses: Record<string, number>;
}

/** The most a health answer may take under any adversity. */
export const HEALTH_LIMIT_MS = 250;

/** Polls `${url}/v1/health` every 50 ms from a thread of its own until `stop()`, which summarizes the polls. */
export function pollHealth(url: string, everyMs = 50) {
  const worker = new Worker(new URL('./health-poller.worker.ts', import.meta.url), { workerData: { url: `${url}/v1/health`, everyMs } });
  return {
    async stop(): Promise<HealthPolls> {
      worker.postMessage('stop');
      const [samples] = (await once(worker, 'message')) as [{ at: number; ms: number; status: number | string }[]];
      await worker.terminate();
      const times = samples.map((sample) => sample.ms).sort((a, b) => a - b);
      const statuses: Record<string, number> = {};
      for (const { status } of samples) statuses[status] = (statuses[status] ?? 0) + 1;
      return {
        polls: samples.length,
        p50Ms: times[Math.floor(times.length / 2)] ?? 0,
        maxMs: times.at(-1) ?? 0,
        slow: samples
          .filter((sample) => sample.ms > HEALTH_LIMIT_MS || typeof sample.status !== 'number')
          .map(({ at, ms, status }) => ({ at: new Date(at).toISOString(), ms: Math.round(ms), status })),
        statuses,
      };
    },
  };
}
