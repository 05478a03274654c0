/**
 * Where tests keep their throwaway files (databases, data and plugin folders):
 * SODAR_TEST_SCRATCH when set (scripts/run-tests.ts puts it on a RAM disk when there is
 * room), else the system's temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const SCRATCH_VARIABLE = 'SODAR_TEST_SCRATCH';

/** A new empty folder named `prefix` plus a random part. */
export function scratchDir(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env[SCRATCH_VARIABLE] || os.tmpdir(), prefix));
}
