import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.ts';

/**
 * PGlite is a single-process database: two processes opening the same directory
 * corrupt it. Whoever opens DATA_DIR holds this lock file until it closes.
 */
export function lockDataDir(dataDir: string, holder: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'tracker.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, JSON.stringify({ pid: process.pid, holder }), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(lockPath);
      if (owner && isAlive(owner.pid)) {
        throw new AppError(
          'unavailable',
          `the embedded database in ${dataDir} is in use by process ${owner.pid} (${owner.holder}); ` +
            'stop it first, or set DATABASE_URL to use PostgreSQL, which many processes can share',
        );
      }
      // The previous holder died without cleaning up: the lock is stale.
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new AppError('unavailable', `could not lock ${lockPath}`);
}

function readOwner(lockPath: string): { pid: number; holder: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(lockPath, 'utf8'));
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
