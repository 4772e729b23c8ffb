import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../bench/server-process.ts';
import path from 'node:path';
import { waitFor } from '../wait.ts';

const MAIN = path.join(import.meta.dirname, '..', '..', 'src', 'main.ts');
/** How much of the process's output is kept, for the message of a test that fails. */
const OUTPUT_KEPT = 64 * 1024;

export interface TrackerProcess {
  child: ChildProcess;
  url: string;
  /** The last of what it wrote. */
  output(): string;
  /** The process's largest event-loop delay since the last call (prom-client resets it at each scrape), in ms. */
  eventLoopMaxMs(): Promise<number>;
  stop(): Promise<void>;
}

/** `tracker serve` in a process of its own, as production runs it; resolves once its health answers. */
export async function startTracker(env: Record<string, string>): Promise<TrackerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN, 'serve'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env },
  });
  let output = '';
  // Read all it writes: a pipe nobody reads would stop the process at its next log line.
  const keep = (chunk: Buffer) => (output = (output + chunk).slice(-OUTPUT_KEPT));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`tracker serve exited with ${child.exitCode}: ${output}`);
        return (await fetch(`${url}/v1/health`)).status > 0;
      },
      { what: `tracker serve to answer on ${url}`, timeoutMs: 60_000 },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    child,
    url,
    output: () => output,
    async eventLoopMaxMs() {
      const text = await (await fetch(`${url}/metrics`)).text();
      return Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1] ?? NaN) * 1000;
    },
    stop,
  };
}
