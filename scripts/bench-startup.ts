/**
 * `npm run bench:startup -- [--runs N] [--only embedded|postgres] [--before DIR]`: cold starts to the first
 * 200 of /readyz on an existing, migrated and seeded database, N runs (median shown), of a
 * bare Express app, the site through tsx (the old `npm start`) and the compiled site (the
 * new one), interleaved so shared load hits all alike; with each process's RSS once ready
 * (VmRSS of the node process itself). Embedded database in a temporary folder; PostgreSQL
 * in a throwaway database on BENCH_DATABASE_URL's server (default the local one).
 * --before DIR adds the site of another checkout (e.g. a worktree of an older commit), started
 * as its `npm start` did through tsx, for before/after figures in one run.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createServerDatabase } from './throwaway-database';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    before: { type: 'string' },
  },
});

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

interface Variant {
  name: string;
  cwd: string;
  /** Node arguments; the site's get the database environment. */
  args: (port: number) => string[];
  site: boolean;
}

function variants(before: string | undefined): Variant[] {
  const fromSources = (name: string, cwd: string): Variant => ({ name, cwd, args: () => ['--import', 'tsx', 'app/main.ts'], site: true });
  return [
    { name: 'bare Express (node)', cwd: ROOT, args: (port) => ['scripts/start-bare.js', String(port)], site: false },
    ...(before ? [fromSources('before: tsx, --before DIR', path.resolve(before))] : []),
    fromSources('site, tsx (npm run dev)', ROOT),
    { name: 'site, compiled (npm start)', cwd: ROOT, args: () => ['--enable-source-maps', 'dist/main.js'], site: true },
  ];
}

interface Sample {
  ms: number;
  rssMiB: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** VmRSS of a process from /proc, in MiB. */
function rssMiB(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) / 1024;
}

async function firstOk(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process ended with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`${url} gave no 200 within 30 s`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One cold start: spawn to the first 200 of /readyz, then the RSS, then stop. */
async function coldStart(variant: Variant, env: Record<string, string>): Promise<Sample> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, variant.args(port), {
    cwd: variant.cwd,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), LOG_LEVEL: 'warn', ...(variant.site ? env : {}) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await firstOk(`http://127.0.0.1:${port}/readyz`, child);
    const ms = performance.now() - started;
    return { ms, rssMiB: rssMiB(child.pid!) };
  } finally {
    await stop(child);
  }
}

/** A database for the site: env, and how to get rid of it. */
interface BenchDatabase {
  label: string;
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function embeddedDatabase(): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-bench-startup-'));
  return { label: 'embedded', env: { DATA_DIR: dataDir }, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
}

async function serverDatabase(): Promise<BenchDatabase> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? DEFAULT_SERVER;
  const server = await createServerDatabase(serverUrl, `sodar_bench_startup_${process.pid}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-bench-startup-'));
  const drop = async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await server.drop();
  };
  return { label: 'PostgreSQL', env: { DATA_DIR: dataDir, DATABASE_URL: server.url }, drop };
}

/** Migrates and seeds (demo data) once, so every measured start finds an existing database. */
function prepare(env: Record<string, string>): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--demo'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

const median = (numbers: number[]) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

async function benchDatabase(database: BenchDatabase, runs: number): Promise<void> {
  prepare(database.env);
  const chosen = variants(values.before);
  const samples = new Map<Variant, Sample[]>(chosen.map((variant) => [variant, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const variant of chosen) samples.get(variant)!.push(await coldStart(variant, database.env));
  }
  console.log(`\n${database.label}: ${runs} cold starts each, to the first 200 of /readyz`);
  console.log(`${'start'.padEnd(30)} ${'median ms'.padStart(10)} ${'min'.padStart(6)} ${'max'.padStart(6)} ${'RSS MiB'.padStart(8)}`);
  for (const [variant, list] of samples) {
    const times = list.map((sample) => sample.ms);
    const row = [median(times), Math.min(...times), Math.max(...times)].map((ms) => ms.toFixed(0).padStart(6));
    console.log(`${variant.name.padEnd(30)} ${row[0]!.padStart(10)} ${row[1]} ${row[2]} ${median(list.map((sample) => sample.rssMiB)).toFixed(0).padStart(8)}`);
  }
}

async function main(): Promise<void> {
  const runs = Number(values.runs);
  execFileSync(process.execPath, ['scripts/start-build.js'], { cwd: ROOT, stdio: 'inherit' });
  const kinds = { embedded: embeddedDatabase, postgres: serverDatabase };
  for (const [kind, open] of Object.entries(kinds)) {
    if (values.only && values.only !== kind) continue;
    const database = await open();
    try {
      await benchDatabase(database, runs);
    } finally {
      await database.drop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
