/**
 * A throwaway database per test file: a fresh PostgreSQL database on the server named by
 * TEST_DATABASE_URL (dropped afterwards), or else an embedded one in a temporary folder.
 * Under scripts/run-tests.ts each starts as a copy of an already migrated template
 * (template-database.ts); a test file run on its own starts empty and migrates.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { scratchDir } from './scratch';

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

/** Names the migrated template to copy: an embedded database folder, or a database on the server. */
export const TEMPLATE_VARIABLE = 'SODAR_TEST_TEMPLATE';

const template: string | null = process.env[TEMPLATE_VARIABLE] || null;

export async function onServer(adminUrl: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** The URL of database `name` on the server of `url`. */
export function databaseUrlOn(url: string, name: string): string {
  const result = new URL(url);
  result.pathname = `/${name}`;
  return result.toString();
}

async function onTheServer(adminUrl: string): Promise<TestDatabaseLocation> {
  const name = uniqueDatabaseName('sodar_test');
  await onServer(adminUrl, template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  const url = databaseUrlOn(adminUrl, name);
  const dataDir = scratchDir('sodar-test-');
  return {
    url,
    dataDir,
    env: { DATABASE_URL: url, DATA_DIR: dataDir },
    remove: async () => {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await onServer(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

function embedded(): TestDatabaseLocation {
  const dataDir = scratchDir('sodar-test-');
  // The site keeps its embedded database in DATA_DIR/db (embeddedPath in app/site.ts).
  if (template) fs.cpSync(template, path.join(dataDir, 'db'), { recursive: true });
  return {
    url: null,
    dataDir,
    env: { DATA_DIR: dataDir },
    remove: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

export async function createTestDatabase(): Promise<TestDatabaseLocation> {
  return serverUrl ? onTheServer(serverUrl) : embedded();
}
