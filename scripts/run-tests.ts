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
import { buildTemplateDatabase } from '../test/helpers/template-database';

/** Files at once, as before: 3 on 2 busy cores made the SIGTERM timing test miss its deadline once. */
const CONCURRENCY = 2;
const SLOWEST_SHOWN = 10;

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
  const args = ['--import', 'tsx', '--test', `--test-concurrency=${CONCURRENCY}`, ...reporters, ...files];
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
  const template = await buildTemplateDatabase(serverUrl);
  const durationsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-durations-')), 'durations.json');
  let testsCode: number;
  try {
    testsCode = await runTests(files, template.env, durationsFile);
  } finally {
    await template.remove();
  }
  printSlowest(durationsFile);
  fs.rmSync(path.dirname(durationsFile), { recursive: true, force: true });
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
