import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.join(import.meta.dirname, '..');

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resident memory of a process in MB, now and at its peak, from /proc. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** CPU time of a process so far, in µs, from /proc (user + system, in clock ticks of 10 ms). */
export function cpuMicrosOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resident memory samples (MB), one every 250 ms since the last `resetSamples`. */
  samples: number[];
  resetSamples(): void;
  peakMb(): number;
  stop(): Promise<void>;
}

async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  // Every server here answers /health once it listens (Tracker with 202 or 404, the bare one with 200).
  for (let tries = 0; tries < 600; tries++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      await fetch(`${url}/health`);
      return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not start within a minute');
}

/** Starts `args` (a script under the project and its arguments) as a child process, sampling its memory. */
export function startProcess(args: string[], env: Record<string, string>, nodeFlags: string[] = []) {
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // A bench that fails midway must not leave a server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(memoryOf(child.pid!).rssMb), 250);
  return {
    child,
    samples,
    resetSamples: () => samples.splice(0),
    peakMb: () => memoryOf(child.pid!).peakMb,
    async stop() {
      clearInterval(sampler);
      process.off('exit', killOnExit);
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Like startProcess, for a server of HTTP on a free port: resolves once it answers. */
export async function startServerProcess(args: string[], env: Record<string, string>, nodeFlags: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  const started = startProcess(args, { ...env, PORT: String(port), HOST: '127.0.0.1' }, nodeFlags);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(url, started.child);
  } catch (error) {
    await started.stop();
    throw error;
  }
  return { url, ...started };
}

/** The Node flags of `npm run start:worker`, the worker role as operators run it. */
export function workerNodeFlags(): string[] {
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
  const flags = /^node (.*?) ?src\/main\.ts serve --roles worker$/.exec(scripts['start:worker'])?.[1];
  if (flags === undefined) throw new Error('package.json has no start:worker script running the worker role');
  return flags.split(' ').filter(Boolean);
}

/**
 * Tracker with `env` (its database and reports directory) as an operator runs
 * it: on PostgreSQL an API process (`npm run start:api`) beside a worker process
 * (`npm run start:worker`); on the embedded database, whose data directory one
 * process owns, a single `serve`. The memory figures are the API process's.
 */
export async function startTracker(env: Record<string, string>): Promise<ServerProcess> {
  if (!env.DATABASE_URL) return startServerProcess(['src/main.ts', 'serve'], env);
  const worker = startProcess(['src/main.ts', 'serve', '--roles', 'worker'], env, workerNodeFlags());
  const api = await startServerProcess(['src/main.ts', 'serve', '--roles', 'api'], env);
  return {
    ...api,
    async stop() {
      await api.stop();
      await worker.stop();
    },
  };
}
