import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * App settings (reference core §1.9): one row per setting and project/user, created only
 * when a value is set (no row: the default). The value is kept typed as jsonb instead of
 * SODAR's text plus value_json. NULLS NOT DISTINCT makes SITE and USER rows unique as well.
 */
export class ProjectrolesAppSettings1764000003000 implements MigrationInterface {
  name = 'ProjectrolesAppSettings1764000003000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projectroles_appsetting (
        id serial PRIMARY KEY,
        sodar_uuid uuid NOT NULL UNIQUE,
        plugin_name varchar(255) NOT NULL,
        name varchar(255) NOT NULL,
        value jsonb NOT NULL,
        project_id integer REFERENCES projectroles_project (id) ON DELETE CASCADE,
        user_id integer REFERENCES projectroles_user (id) ON DELETE CASCADE,
        date_modified timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT unique_app_setting_name UNIQUE NULLS NOT DISTINCT (project_id, user_id, plugin_name, name)
      )`);
    // The unique index serves project lookups; user settings need their own, and one setting
    // across projects (the project list's public stats, cleanappsettings) one by name.
    await db.query('CREATE INDEX projectroles_appsetting_user ON projectroles_appsetting (user_id, project_id)');
    await db.query('CREATE INDEX projectroles_appsetting_name ON projectroles_appsetting (plugin_name, name)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projectroles_appsetting');
  }
}
