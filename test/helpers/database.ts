/**
 * A throwaway database per test file: a fresh PostgreSQL database on the server named by
 * TEST_DATABASE_URL (dropped afterwards), or else an embedded one in a temporary folder.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface TestDatabaseLocation {
  /** PostgreSQL URL, or null for the embedded database in `dataDir`. */
  url: string | null;
  /** DATA_DIR of the site (and its embedded database). */
  dataDir: string;
  /** The configuration that points a site here. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

export const serverUrl: string | null = process.env.TEST_DATABASE_URL || null;

/** Which database the tests run on, for skip messages and logs. */
export const databaseKind = serverUrl ? 'postgres' : 'embedded';

async function onServer(adminUrl: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabaseLocation> {
  if (serverUrl) {
    const name = `sodar_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    await onServer(serverUrl, `CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-test-'));
    return {
      url: url.toString(),
      dataDir,
      env: { DATABASE_URL: url.toString(), DATA_DIR: dataDir },
      remove: async () => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        await onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-test-'));
  return {
    url: null,
    dataDir,
    env: { DATA_DIR: dataDir },
    remove: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}
