import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { lockDataDir } from '../src/db/data-dir-lock.ts';
import { waitFor } from './wait.ts';

const LOCK_MODULE = path.join(import.meta.dirname, '..', 'src', 'db', 'data-dir-lock.ts');

/** Node code that takes the lock of DIR when the clock passes START, says "held" or "refused", and keeps it HOLD ms. */
const CONTENDER = `
import { lockDataDir } from ${JSON.stringify(LOCK_MODULE)};
const [dir, start, hold] = process.argv.slice(1);
while (Date.now() < Number(start));
try {
  const unlock = lockDataDir(dir, 'contender');
  console.log('held ' + process.pid);
  setTimeout(unlock, Number(hold));
} catch (error) {
  console.log('refused ' + error.message);
}`;

function runNode(code: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code, ...args]);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('close', (code) => (code === 0 ? resolve(output.trim()) : reject(new Error(output))));
  });
}

describe('the data directory lock', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('of eight processes starting together over a stale lock, exactly one takes it', async () => {
    for (let round = 0; round < 2; round++) {
      // A pid far above Linux's pid_max: no process has it.
      fs.writeFileSync(path.join(dir, 'tracker.lock'), JSON.stringify({ pid: 99_999_999, holder: 'crashed' }));
      const start = String(Date.now() + 1000);
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => runNode(CONTENDER, [dir, start, '2000'])));
      const held = outcomes.filter((outcome) => outcome.startsWith('held'));
      assert.equal(held.length, 1, outcomes.join('\n'));
      for (const refused of outcomes.filter((outcome) => outcome.startsWith('refused'))) {
        assert.match(refused, new RegExp(`in use by process ${held[0].split(' ')[1]} \\(contender\\)`));
      }
      assert.equal(fs.existsSync(path.join(dir, 'tracker.lock')), false, 'the holder released it on exit');
      assert.deepEqual(fs.readdirSync(dir), [], 'no drafts or breaker are left behind');
    }
  });

  test('a holder killed but not yet reaped (a zombie) does not keep the lock', { skip: process.platform !== 'linux' }, async () => {
    // The holder's parent is `sleep`, which never reaps it: after kill -9 it stays a zombie.
    const holderCode = `import { lockDataDir } from ${JSON.stringify(LOCK_MODULE)}; lockDataDir(process.argv[1], 'holder'); setInterval(() => {}, 1000);`;
    const shell = spawn('sh', ['-c', `"${process.execPath}" --input-type=module -e "$0" "$1" & exec sleep 60`, holderCode, dir]);
    try {
      const lockPath = path.join(dir, 'tracker.lock');
      await waitFor(() => fs.existsSync(lockPath) && fs.readFileSync(lockPath, 'utf8').includes('holder'));
      const holderPid = JSON.parse(fs.readFileSync(lockPath, 'utf8')).pid as number;
      assert.throws(() => lockDataDir(dir, 'second'), /in use by process/);
      process.kill(holderPid, 'SIGKILL');
      await waitFor(() => fs.readFileSync(`/proc/${holderPid}/stat`, 'utf8').includes(') Z '));
      const unlock = lockDataDir(dir, 'restarted');
      unlock();
    } finally {
      shell.kill('SIGKILL');
    }
  });

  test('a lock naming a live pid that another program now has is stale', () => {
    fs.writeFileSync(path.join(dir, 'tracker.lock'), JSON.stringify({ pid: process.pid, holder: 'long gone', started: 1 }));
    const unlock = lockDataDir(dir, 'new');
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'tracker.lock'), 'utf8')).holder, 'new');
    unlock();
  });
});
