/**
 * Runs every test file under test/ (or the folder given) with node:test. Node 20 needs
 * file paths, not globs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function findTests(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const roots = process.argv.slice(2);
// plugins/ holds drop-in plugins (e.g. from npm run new-plugin), each with its own tests.
const files = (roots.length > 0 ? roots : ['test', 'plugins'].filter((dir) => fs.existsSync(dir))).flatMap((root) => (fs.statSync(root).isDirectory() ? findTests(root) : [root])).sort();
const database = process.env.TEST_DATABASE_URL ? `PostgreSQL (${new URL(process.env.TEST_DATABASE_URL).host})` : 'the embedded database (PGlite)';
console.log(`Running ${files.length} test files on ${database}`);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
