/**
 * A migrated template database, built once per test run (scripts/run-tests.ts) so that each
 * test file starts from a copy instead of booting an empty database and running every
 * migration itself. It holds the built-in migrations only: a test site with drop-in plugins
 * still runs its plugins' migrations on top of the copy (TypeORM runs the pending ones).
 * No users or other rows: the first start of a copy is a first start as before.
 */
import fs from 'node:fs';
import pino from 'pino';
import { createRegistry, embeddedPath, openSiteDatabase, siteRules } from '../../app/site';
import { databaseUrlOn, onServer, TEMPLATE_VARIABLE, uniqueDatabaseName } from './database';
import { testConfig } from './site';
import { scratchDir } from './scratch';

export interface TemplateDatabase {
  /** The environment that makes createTestDatabase copy this template. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

async function migrateEmpty(env: Record<string, string>): Promise<void> {
  const config = testConfig(env);
  const db = await openSiteDatabase(config, pino({ level: 'silent' }), createRegistry(config, siteRules(config)));
  await db.dataSource.destroy();
}

async function embeddedTemplate(): Promise<TemplateDatabase> {
  const dataDir = scratchDir('sodar-template-');
  await migrateEmpty({ DATA_DIR: dataDir });
  return {
    env: { [TEMPLATE_VARIABLE]: embeddedPath(testConfig({ DATA_DIR: dataDir })) },
    remove: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function serverTemplate(serverUrl: string): Promise<TemplateDatabase> {
  const name = uniqueDatabaseName('sodar_test_template');
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const dataDir = scratchDir('sodar-template-');
  try {
    // Every connection is closed afterwards: CREATE DATABASE ... TEMPLATE needs the template idle.
    await migrateEmpty({ DATABASE_URL: databaseUrlOn(serverUrl, name), DATA_DIR: dataDir });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return {
    env: { [TEMPLATE_VARIABLE]: name },
    remove: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** Builds the template on the server of `serverUrl`, or an embedded one when null. */
export function buildTemplateDatabase(serverUrl: string | null): Promise<TemplateDatabase> {
  return serverUrl ? serverTemplate(serverUrl) : embeddedTemplate();
}
