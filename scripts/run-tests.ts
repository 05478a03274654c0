/**
 * Runs every test file under test/ (or the folders and files given) with node:test. Node 20
 * needs file paths, not globs.
 *
 * First it builds one migrated template database, which each test file copies instead of
 * migrating an empty one itself (test/helpers/template-database.ts). At the end it lists
 * the slowest files.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { serverUrl } from '../test/helpers/database';
import { TEST_NODE_FLAGS } from '../test/helpers/node-flags';
import { SCRATCH_VARIABLE } from '../test/helpers/scratch';
import { buildTemplateDatabase } from '../test/helpers/template-database';

/** Files at once, as before: 3 on 2 busy cores made the SIGTERM timing test miss its deadline once. */
const CONCURRENCY = 2;
const SLOWEST_SHOWN = 10;
/** A RAM disk for the tests' throwaway files when it has this much room (Docker's default /dev/shm has 64 MiB). */
const RAM_DISK = '/dev/shm';
const RAM_DISK_NEEDED_BYTES = 4 * 1024 ** 3;

/**
 * The folder for this run's throwaway files. On a RAM disk, copying the template database
 * and removing it took 190 ms instead of 700 ms per test file, and the embedded database's
 * writes cost no disk I/O.
 */
function makeScratchRoot(): string {
  let parent = os.tmpdir();
  try {
    const { bavail, bsize } = fs.statfsSync(RAM_DISK);
    fs.accessSync(RAM_DISK, fs.constants.W_OK);
    if (bavail * bsize >= RAM_DISK_NEEDED_BYTES) parent = RAM_DISK;
  } catch {
    // no such RAM disk here: the system's temporary folder serves
  }
  return fs.mkdtempSync(path.join(parent, 'sodar-tests-'));
}

function findTests(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

function runTests(files: string[], env: Record<string, string>, durationsFile: string): Promise<number> {
  // The usual reporter on standard output (what node picks when none is named), and ours to a file.
  const usual = process.stdout.isTTY ? 'spec' : 'tap';
  const ours = pathToFileURL(path.join(__dirname, 'test-durations-reporter.mjs')).href;
  const reporters = [`--test-reporter=${usual}`, '--test-reporter-destination=stdout', `--test-reporter=${ours}`, `--test-reporter-destination=${durationsFile}`];
  const args = [...TEST_NODE_FLAGS, '--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`, ...reporters, ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('error', () => resolve(1));
    child.once('close', (code) => resolve(code ?? 1));
  });
}

function printSlowest(durationsFile: string): void {
  let byFile: Record<string, number>;
  try {
    byFile = JSON.parse(fs.readFileSync(durationsFile, 'utf8')) as Record<string, number>;
  } catch {
    return; // the run stopped before the reporter wrote
  }
  const slowest = Object.entries(byFile).sort(([, a], [, b]) => b - a).slice(0, SLOWEST_SHOWN);
  console.log(`# slowest ${slowest.length} test files (time in their tests and hooks):`);
  for (const [file, ms] of slowest) console.log(`#   ${(ms / 1000).toFixed(1).padStart(6)} s  ${path.relative(process.cwd(), file)}`);
}

async function main(): Promise<number> {
  const roots = process.argv.slice(2);
  // plugins/ holds drop-in plugins (e.g. from npm run new-plugin), each with its own tests.
  const files = (roots.length > 0 ? roots : ['test', 'plugins'].filter((dir) => fs.existsSync(dir))).flatMap((root) => (fs.statSync(root).isDirectory() ? findTests(root) : [root])).sort();
  const database = serverUrl ? `PostgreSQL (${new URL(serverUrl).host})` : 'the embedded database (PGlite)';
  console.log(`Running ${files.length} test files on ${database}`);
  const started = Date.now();
  const scratch = makeScratchRoot();
  // The template is built here too: scratchDir() reads the variable.
  process.env[SCRATCH_VARIABLE] = scratch;
  const durationsFile = path.join(scratch, 'durations.json');
  let testsCode: number;
  try {
    const template = await buildTemplateDatabase(serverUrl);
    try {
      testsCode = await runTests(files, { ...template.env, [SCRATCH_VARIABLE]: scratch }, durationsFile);
    } finally {
      await template.remove();
    }
    printSlowest(durationsFile);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`# wall time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return testsCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
