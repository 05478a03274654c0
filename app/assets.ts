/**
 * CSS, fonts and scripts served by the app itself from node_modules (no CDN: the machines
 * this runs on may have no internet, and pages must load nothing from elsewhere).
 */
import path from 'node:path';
import express from 'express';

const VENDOR_PACKAGES: Record<string, string> = {
  bootstrap: 'dist',
  'font-awesome': '',
};

function packageRoot(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

/** Mounted at /static. */
export function assetRoutes(rootDir: string): express.Router {
  const router = express.Router();
  const options = { maxAge: '1d', fallthrough: false, index: false };
  for (const [name, subdir] of Object.entries(VENDOR_PACKAGES)) {
    router.use(`/vendor/${name}`, express.static(path.join(packageRoot(name), subdir), options));
  }
  router.use(express.static(path.join(rootDir, 'static'), options));
  return router;
}
