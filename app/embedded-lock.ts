/**
 * The embedded database serves one process: two PGlite instances on one folder each see only
 * their own writes and overwrite each other's files. So whoever opens the folder first holds a
 * lock file beside it (`<folder>.lock`, holding its pid), and any other process is refused at
 * once with who holds it. A lock left behind by a process that died (kill -9, a crash) is
 * recognised by its pid no longer running, and taken over.
 */
import fs from 'node:fs';
import path from 'node:path';

/** What a lock file records about its holder. */
interface LockHolder {
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
  /** The script the holder runs (never its arguments: they may hold a password). */
  command: string;
  /** When the holder process started (ms since the epoch), to tell a reused pid from the holder. */
  started: number;
}

/** The folder is locked by another running process; the message says who and what to do. */
export class EmbeddedDatabaseLockedError extends Error {
  constructor(folder: string, lockFile: string, holder: LockHolder | null) {
    const who = holder ? `process ${holder.pid} (${holder.command}, since ${holder.since})` : 'another process';
    super(
      `The embedded database in ${folder} is in use by ${who}: it serves one process at a time. ` +
        'Stop the site before running a command on its database (npm run seed, migrate, createuser), ' +
        `or stop the other process before starting the site. If no such process runs, delete ${lockFile}.`,
    );
    this.name = 'EmbeddedDatabaseLockedError';
  }
}

/** A held lock; `release` is safe to call more than once. */
export interface EmbeddedLock {
  readonly file: string;
  release(): void;
}

export function lockFileOf(folder: string): string {
  return `${path.resolve(folder)}.lock`;
}

function parseHolder(content: string): LockHolder | null {
  try {
    const value = JSON.parse(content) as Partial<LockHolder>;
    if (typeof value.pid !== 'number') return null;
    return { pid: value.pid, since: String(value.since), command: String(value.command), started: Number(value.started) };
  } catch {
    return null;
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    return parseHolder(fs.readFileSync(file, 'utf8'));
  } catch {
    return null; // gone meanwhile
  }
}

/** When this process started, to the few milliseconds that process.uptime() allows. */
function processStarted(): number {
  return Math.round(Date.now() - process.uptime() * 1000);
}

/**
 * Whether the holder still runs. `process.kill(pid, 0)` tests a pid (ESRCH: none; EPERM: one
 * of another user). Our own pid is ours only if this process took the lock: in a container
 * the site is pid 1 on every start, so a lock of pid 1 left by the last run is stale.
 */
export function isRunning(holder: LockHolder): boolean {
  if (holder.pid === process.pid) return Math.abs(holder.started - processStarted()) < 1000;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Creates `file` with `content` in one step: written beside it first, then hard-linked into
 * place, which fails if the file exists (like O_EXCL) and never shows a half-written file to a
 * process reading it at the same moment.
 */
function createExclusive(file: string, content: string): boolean {
  const draft = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(draft, content);
  try {
    fs.linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(draft, { force: true });
  }
}

/** Removes a lock whose holder is dead, unless it changed since it was read (another process took it over). */
function removeStale(file: string, seen: string): void {
  let now: string;
  try {
    now = fs.readFileSync(file, 'utf8');
  } catch {
    return; // already gone
  }
  if (now === seen) fs.rmSync(file, { force: true });
}

/**
 * Takes the lock of the embedded database in `folder`, or throws EmbeddedDatabaseLockedError
 * when a running process (this one included) holds it. Released by `release` and at exit.
 */
export function lockEmbeddedFolder(folder: string, command = process.argv[1] ?? 'node'): EmbeddedLock {
  const file = lockFileOf(folder);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const holder: LockHolder = { pid: process.pid, since: new Date().toISOString(), command: path.relative(process.cwd(), command) || command, started: processStarted() };
  const content = JSON.stringify(holder);
  // A few rounds: a stale lock may be removed and retaken by another process in between.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (createExclusive(file, content)) return heldLock(file, content);
    let seen: string;
    try {
      seen = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // released meanwhile: try again
    }
    const current = parseHolder(seen);
    // Not a lock we can read (written by hand?): refuse rather than guess.
    if (!current || isRunning(current)) throw new EmbeddedDatabaseLockedError(folder, file, current);
    removeStale(file, seen);
  }
  throw new EmbeddedDatabaseLockedError(folder, file, readHolder(file));
}

function heldLock(file: string, content: string): EmbeddedLock {
  const release = () => {
    process.removeListener('exit', release);
    // Only our own: never remove a lock another process has taken over since.
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) fs.rmSync(file, { force: true });
  };
  process.once('exit', release);
  return { file, release };
}
