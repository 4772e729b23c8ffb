import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** Who holds a lock file: a process, told apart from a later one given the same pid by its start time. */
interface Owner {
  pid: number;
  holder: string;
  /** Clock ticks after boot at which the process started (Linux); absent elsewhere. */
  started?: number;
}

/** A breaker older than this was left by a process that died while breaking a stale lock. */
const ABANDONED_BREAKER_MS = 10_000;
const RETRY_MS = 20;
const ATTEMPTS = 500;

/**
 * PGlite is a single-process database: two processes opening the same directory
 * corrupt it. Whoever opens DATA_DIR holds this lock file until it closes.
 *
 * Taking it is atomic: the file appears whole (written aside, then hard-linked
 * into place, which fails if one exists). A lock whose process is gone, a
 * zombie, or a pid now used by another program is stale; only the process that
 * holds the breaker file may delete it, and it checks again under the breaker,
 * so two processes starting together never both take it.
 */
export function lockDataDir(dataDir: string, holder: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'tracker.lock');
  const breakerPath = `${lockPath}.breaking`;
  const me: Owner = { pid: process.pid, holder, started: startTimeOf(process.pid) };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (createWhole(lockPath, me)) return () => fs.rmSync(lockPath, { force: true });
    const owner = readOwner(lockPath);
    if (owner && isRunning(owner)) {
      throw new AppError(
        'unavailable',
        `the embedded database in ${dataDir} is in use by process ${owner.pid} (${owner.holder}); ` +
          'stop it first, or set DATABASE_URL to use PostgreSQL, which many processes can share',
      );
    }
    if (createWhole(breakerPath, me)) {
      try {
        const current = readOwner(lockPath);
        if (current && !isRunning(current)) fs.rmSync(lockPath, { force: true });
      } finally {
        fs.rmSync(breakerPath, { force: true });
      }
      continue;
    }
    if (ageMs(breakerPath) > ABANDONED_BREAKER_MS) fs.rmSync(breakerPath, { force: true });
    sleep(RETRY_MS);
  }
  throw new AppError('unavailable', `could not lock ${lockPath}: another process keeps breaking it`);
}

/** Creates `file` holding `owner`, whole or not at all; false if it exists. */
function createWhole(file: string, owner: Owner): boolean {
  const draft = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  fs.writeFileSync(draft, JSON.stringify(owner));
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Linux's view of a process: its state and start time (fields 3 and 22 of
 * /proc/PID/stat, counted after the parenthesised command name, which may hold spaces).
 */
function procStat(pid: number): { state: string; started: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], started: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

function startTimeOf(pid: number): number | undefined {
  return procStat(pid)?.started;
}

/**
 * Whether the lock's owner still runs. A process killed but not yet reaped is
 * a zombie: its pid answers signals, yet it holds nothing, so a restart right
 * after a crash may take the lock.
 */
function isRunning(owner: Owner): boolean {
  if (fs.existsSync('/proc/self/stat')) {
    const stat = procStat(owner.pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
    return owner.started === undefined || stat.started === owner.started;
  }
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
