/**
 * Every migration of the site (built-in apps and timeline's) undoes cleanly, newest first, and applies again, on the database
 * the suite runs on (embedded or PostgreSQL): a down that fails or leaves a table behind
 * would strand a site that has to roll back.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createRegistry, openSiteDatabase, siteRules } from '../../app/site';
import { createTestDatabase, type TestDatabaseLocation } from '../helpers/database';
import { testConfig } from '../helpers/site';

const tables = async (query: (sql: string) => Promise<Array<{ name: string }>>) =>
  (await query("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'app_migrations' ORDER BY 1")).map((row) => row.name);

describe('migrations', () => {
  let location: TestDatabaseLocation | undefined;
  after(async () => {
    await location?.remove();
  });

  it('undo newest first down to none, and apply again to the same tables', async () => {
    location = await createTestDatabase();
    const config = testConfig(location.env);
    const db = await openSiteDatabase(config, pino({ level: 'silent' }), createRegistry(config, siteRules(config)));
    try {
      const query = (sql: string) => db.dataSource.query(sql);
      const migrated = await tables(query);
      assert.ok(migrated.includes('projectroles_appsetting'), 'the settings table is there');
      for (let undone = 0; undone < db.dataSource.migrations.length; undone += 1) await db.dataSource.undoLastMigration();
      assert.deepEqual(await tables(query), [], 'every table dropped but the migrations record');
      await db.dataSource.runMigrations();
      assert.deepEqual(await tables(query), migrated);
      // The settings table works again after the round trip (its unique constraint included).
      await query(`INSERT INTO projectroles_appsetting (sodar_uuid, plugin_name, name, value) VALUES (gen_random_uuid(), 'projectroles', 'site_read_only', 'true')`);
      await assert.rejects(query(`INSERT INTO projectroles_appsetting (sodar_uuid, plugin_name, name, value) VALUES (gen_random_uuid(), 'projectroles', 'site_read_only', 'false')`), /unique_app_setting_name/);
    } finally {
      await db.dataSource.destroy();
    }
  });
});
