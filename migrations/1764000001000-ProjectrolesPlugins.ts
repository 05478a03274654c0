import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One row per registered plugin: enabled at run time or not, and how its last start went. */
export class ProjectrolesPlugins1764000001000 implements MigrationInterface {
  name = 'ProjectrolesPlugins1764000001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projectroles_plugin (
        id serial PRIMARY KEY,
        sodar_uuid uuid NOT NULL UNIQUE,
        plugin_type varchar(20) NOT NULL,
        name varchar(100) NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        status varchar(20) NOT NULL DEFAULT 'registered',
        error text,
        date_modified timestamptz NOT NULL DEFAULT now(),
        UNIQUE (plugin_type, name)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projectroles_plugin');
  }
}
