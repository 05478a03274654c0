import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, database-backed sessions and the login throttle's failure log. */
export class ProjectrolesUsersSessions1764000000000 implements MigrationInterface {
  name = 'ProjectrolesUsersSessions1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projectroles_user (
        id serial PRIMARY KEY,
        sodar_uuid uuid NOT NULL UNIQUE,
        username varchar(150) NOT NULL UNIQUE,
        name varchar(255) NOT NULL DEFAULT '',
        email varchar(254) NOT NULL DEFAULT '',
        password varchar(255) NOT NULL,
        is_superuser boolean NOT NULL DEFAULT false,
        is_active boolean NOT NULL DEFAULT true,
        date_joined timestamptz NOT NULL DEFAULT now(),
        last_login timestamptz
      )`);
    await db.query(`
      CREATE TABLE projectroles_session (
        sid varchar(255) PRIMARY KEY,
        data jsonb NOT NULL,
        expires timestamptz NOT NULL
      )`);
    await db.query('CREATE INDEX projectroles_session_expires ON projectroles_session (expires)');
    await db.query(`
      CREATE TABLE projectroles_login_failure (
        id bigserial PRIMARY KEY,
        key varchar(300) NOT NULL,
        created timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(
      'CREATE INDEX projectroles_login_failure_key_created ON projectroles_login_failure (key, created)',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projectroles_login_failure');
    await db.query('DROP TABLE projectroles_session');
    await db.query('DROP TABLE projectroles_user');
  }
}
