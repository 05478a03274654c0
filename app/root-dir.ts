/**
 * The repository root, where views/, static/ and node_modules/ are. Found by walking up to
 * package.json rather than a fixed `..`: the same code runs from its sources (app/x.ts) and
 * compiled (dist/app/x.js, or a test's build folder below dist/).
 */
import fs from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export const ROOT_DIR = findRoot(__dirname);
