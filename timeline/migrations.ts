import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Events, their object references and status changes. Lists read events newest first per
 * project (or site-wide) by `sort_key`, which a repeat moves to the top; object histories
 * read references by object UUID.
 */
export class Timeline1764000100000 implements MigrationInterface {
  name = 'Timeline1764000100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE SEQUENCE timeline_event_sort_key');
    await db.query(`
      CREATE TABLE timeline_event (
        id serial PRIMARY KEY,
        sodar_uuid uuid NOT NULL UNIQUE,
        project_id integer REFERENCES projectroles_project (id) ON DELETE CASCADE,
        app varchar(255) NOT NULL,
        plugin varchar(255),
        user_id integer REFERENCES projectroles_user (id) ON DELETE SET NULL,
        event_name varchar(255) NOT NULL,
        description text NOT NULL,
        extra_data jsonb NOT NULL DEFAULT '{}',
        classified boolean NOT NULL DEFAULT false,
        timestamp timestamptz NOT NULL DEFAULT now(),
        repeat_key varchar(64),
        repeat_of_id integer REFERENCES timeline_event (id) ON DELETE CASCADE,
        repeat_count integer NOT NULL DEFAULT 1,
        latest_id integer,
        sort_key bigint NOT NULL DEFAULT nextval('timeline_event_sort_key')
      )`);
    await db.query('CREATE INDEX timeline_event_project_list ON timeline_event (project_id, sort_key DESC) WHERE repeat_of_id IS NULL');
    await db.query('CREATE INDEX timeline_event_site_list ON timeline_event (sort_key DESC) WHERE repeat_of_id IS NULL');
    await db.query('CREATE INDEX timeline_event_repeat ON timeline_event (repeat_key, sort_key DESC) WHERE repeat_of_id IS NULL AND repeat_key IS NOT NULL');
    // The REST list pages through every event of a project (repeats too), newest first.
    await db.query('CREATE INDEX timeline_event_project_all ON timeline_event (project_id, id DESC)');
    await db.query('CREATE INDEX timeline_event_repeat_of ON timeline_event (repeat_of_id) WHERE repeat_of_id IS NOT NULL');
    await db.query('CREATE INDEX timeline_event_user ON timeline_event (user_id)');
    await db.query(`
      CREATE TABLE timeline_eventobjectref (
        id serial PRIMARY KEY,
        sodar_uuid uuid NOT NULL UNIQUE,
        event_id integer NOT NULL REFERENCES timeline_event (id) ON DELETE CASCADE,
        label varchar(255) NOT NULL,
        name varchar(255) NOT NULL,
        object_model varchar(255) NOT NULL,
        object_uuid uuid,
        extra_data jsonb NOT NULL DEFAULT '{}'
      )`);
    await db.query('CREATE INDEX timeline_eventobjectref_event ON timeline_eventobjectref (event_id)');
    await db.query('CREATE INDEX timeline_eventobjectref_object ON timeline_eventobjectref (object_uuid, object_model, event_id DESC)');
    await db.query(`
      CREATE TABLE timeline_eventstatus (
        id serial PRIMARY KEY,
        sodar_uuid uuid NOT NULL UNIQUE,
        event_id integer NOT NULL REFERENCES timeline_event (id) ON DELETE CASCADE,
        timestamp timestamptz NOT NULL DEFAULT clock_timestamp(),
        status_type varchar(64) NOT NULL,
        description text NOT NULL,
        extra_data jsonb NOT NULL DEFAULT '{}'
      )`);
    await db.query('CREATE INDEX timeline_eventstatus_event ON timeline_eventstatus (event_id, id DESC)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE timeline_eventstatus, timeline_eventobjectref, timeline_event');
    await db.query('DROP SEQUENCE timeline_event_sort_key');
  }
}
