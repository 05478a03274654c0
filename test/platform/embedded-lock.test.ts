import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { EmbeddedDatabaseLockedError, lockEmbeddedFolder, lockFileOf } from '../../app/embedded-lock';
import { serverUrl } from '../helpers/database';
import { runScript, startSiteProcess, stopSiteProcess, type CommandResult } from '../helpers/site-process';
import { scratchDir } from '../helpers/scratch';

// The lock guards the embedded database's folder; a PostgreSQL server serves many processes
// at once, so on CI's PostgreSQL leg there is nothing to lock.
const skip = serverUrl ? 'the lock is the embedded database\'s; PostgreSQL serves several processes' : false;

/** A pid that ran and is gone. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function holderPid(dataDir: string): number {
  return (JSON.parse(fs.readFileSync(lockFileOf(path.join(dataDir, 'db')), 'utf8')) as { pid: number }).pid;
}

/** A refused process ends by itself, long before this (the time is mostly loading the code on a busy machine). */
const REFUSAL_WITHIN_MS = 30_000;

function assertRefused(result: CommandResult, holder: number, what: string): void {
  assert.equal(result.timedOut, false, `${what} stopped by itself (it was still running after ${REFUSAL_WITHIN_MS} ms)`);
  assert.notEqual(result.code, 0, `${what} exits non-zero`);
  assert.match(result.stderr, new RegExp(`in use by process ${holder} \\(app/main\\.ts, since `), `${what} names the holder`);
  assert.match(result.stderr, /Stop the site before running a command on its database/, `${what} says what to do`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, `${what} prints no stack trace`);
  assert.doesNotMatch(result.stdout, /Seeded|up to date|Created/, `${what} did nothing`);
}

describe('the embedded database lock, in this process', { skip }, () => {
  const dirs: string[] = [];
  const folder = () => {
    dirs.push(scratchDir('sodar-lock-'));
    return path.join(dirs.at(-1)!, 'db');
  };
  after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('refuses a second lock of one folder, and gives it again once released', () => {
    const db = folder();
    const lock = lockEmbeddedFolder(db);
    assert.throws(() => lockEmbeddedFolder(db), EmbeddedDatabaseLockedError);
    const other = lockEmbeddedFolder(folder()); // another folder is another database
    lock.release();
    assert.equal(fs.existsSync(lock.file), false);
    lockEmbeddedFolder(db).release();
    other.release();
  });

  it('takes over the lock of a dead process, and of an earlier process that had our pid', () => {
    const db = folder();
    fs.writeFileSync(lockFileOf(db), JSON.stringify({ pid: deadPid(), since: '2020-01-01T00:00:00.000Z', command: 'app/main.ts', started: 0 }));
    lockEmbeddedFolder(db).release();
    // In a container the site is pid 1 on every start: a lock with our pid from before we started is stale.
    fs.writeFileSync(lockFileOf(db), JSON.stringify({ pid: process.pid, since: '2020-01-01T00:00:00.000Z', command: 'app/main.ts', started: 0 }));
    lockEmbeddedFolder(db).release();
  });

  it('refuses a lock file it cannot read rather than guess', () => {
    const db = folder();
    fs.writeFileSync(lockFileOf(db), 'not a lock');
    assert.throws(() => lockEmbeddedFolder(db), /in use by another process.*delete .*db\.lock/);
  });
});

describe('the embedded database lock, between processes', { skip }, () => {
  const dataDir = scratchDir('sodar-lock-');
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const env = { DATA_DIR: dataDir, ADMIN_PASSWORD: 'lock-test-password' };

  it('refuses a second site and every command while the site runs, takes over a stale lock, and starts again after a stop', async () => {
    fs.mkdirSync(path.join(dataDir, 'db'), { recursive: true });
    fs.writeFileSync(lockFileOf(path.join(dataDir, 'db')), JSON.stringify({ pid: deadPid(), since: '2020-01-01T00:00:00.000Z', command: 'app/main.ts', started: 0 }));
    const site = await startSiteProcess(env);
    const holder = holderPid(dataDir);
    assert.equal(holder, site.child.pid, 'the site took over the dead process\'s lock');

    const [second, seed, migrate, createuser] = await Promise.all([
      runScript('app/main.ts', [], env, REFUSAL_WITHIN_MS),
      runScript('scripts/seed.ts', ['--demo'], env, REFUSAL_WITHIN_MS),
      runScript('scripts/migrate.ts', [], env, REFUSAL_WITHIN_MS),
      runScript('scripts/createuser.ts', ['--username', 'zoe', '--password', 'zoe-password'], env, REFUSAL_WITHIN_MS),
    ]);
    assertRefused(second, holder, 'a second site');
    assertRefused(seed, holder, 'seed');
    assertRefused(migrate, holder, 'migrate');
    assertRefused(createuser, holder, 'createuser');
    const ready = await fetch(`${site.baseUrl}/readyz`);
    assert.equal(ready.status, 200, 'the first site serves on');

    assert.equal(await stopSiteProcess(site), 0);
    assert.equal(fs.existsSync(lockFileOf(path.join(dataDir, 'db'))), false, 'the lock is gone after a stop');
    const again = await startSiteProcess(env);
    assert.equal(holderPid(dataDir), again.child.pid);
    assert.equal(await stopSiteProcess(again), 0);
  });
});
