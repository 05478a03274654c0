/**
 * `npm start`'s first step: compiles the site into one JavaScript file, dist/main.js (or
 * into the folder given as the first argument, which must lie below the repository root so
 * that node_modules resolve), but only when a source or the installed packages are newer
 * than the last build. Plain JavaScript, since it runs before anything is compiled.
 * esbuild, not tsc: it only strips types (the type check is `npm test`'s), in well under a
 * second where tsc's emit takes many. One bundle with the packages inside: loading
 * TypeORM's 375 files one by one was a third of the start. Left outside: PGlite (it reads
 * its wasm files beside its own module) and tsx (loaded only for TypeScript drop-ins).
 */
/* global process, __filename */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** The folders the site's code comes from; scripts/, tests and drop-in plugins stay TypeScript (tsx). */
const SOURCE_DIRS = ['app', 'projectroles', 'timeline', 'example_backend_app', 'migrations'];
/** Besides the sources: what else changes the bundle (npm install rewrites node_modules/.package-lock.json). */
const OTHER_INPUTS = ['tsconfig.json', 'package.json', 'node_modules/.package-lock.json'];
const EXTERNAL = ['@electric-sql/pglite', 'tsx', 'tsx/*', 'pg-native'];
const STAMP = '.build-stamp';

/** Every file and folder below `dir` (a folder's mtime moves when a file is added or removed). */
function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const full = path.join(dir, item.name);
    return item.isDirectory() ? [full, ...walk(full)] : [full];
  });
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

/** Builds into `outDir` when stale; returns whether it built. */
function buildIfStale(outDir) {
  const inputs = [
    ...SOURCE_DIRS.flatMap((dir) => [path.join(ROOT, dir), ...walk(path.join(ROOT, dir))]),
    ...OTHER_INPUTS.map((file) => path.join(ROOT, file)),
    __filename,
  ];
  if (Math.max(...inputs.map(mtime)) < mtime(path.join(outDir, STAMP))) return false;
  require('esbuild').buildSync({
    entryPoints: [path.join(ROOT, 'app/main.ts')],
    outfile: path.join(outDir, 'main.js'),
    bundle: true,
    external: EXTERNAL,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    keepNames: true, // TypeORM names migrations by their class, and esbuild may rename classes in a bundle
    sourcemap: true,
    sourcesContent: false, // the sources are in the repository; a smaller map loads faster
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(outDir, STAMP), `${new Date().toISOString()}\n`);
  return true;
}

const outDir = path.resolve(ROOT, process.argv[2] ?? 'dist');
const started = Date.now();
if (buildIfStale(outDir)) console.error(`Built ${path.relative(ROOT, outDir)}/main.js in ${Date.now() - started} ms`);
