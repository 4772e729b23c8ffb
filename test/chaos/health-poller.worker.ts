import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * Asks `url` every `everyMs`, each time on a new connection as a liveness
 * probe does, and posts every answer's time when told to stop. It runs on a
 * thread of its own, so that the test's own work (opening thousands of
 * sockets, building large bodies) does not show as the server's slowness.
 */
const { url, everyMs } = workerData as { url: string; everyMs: number };
const samples: { at: number; ms: number; status: number | string }[] = [];
let stopping = false;
parentPort!.on('message', () => (stopping = true));

function ask(): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: 10_000 }, (response) => {
      response.resume().on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error('no answer in 10 s')));
    request.on('error', reject);
  });
}

while (!stopping) {
  const started = performance.now();
  let status: number | string;
  try {
    status = await ask();
  } catch (error) {
    status = (error as Error).message;
  }
  const ms = performance.now() - started;
  samples.push({ at: Date.now(), ms, status });
  await sleep(Math.max(0, everyMs - ms));
}
parentPort!.postMessage(samples);
