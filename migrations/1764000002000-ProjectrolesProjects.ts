import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projects and categories in a tree, the six roles, role assignments and stars.
 * `ancestor_ids` (root first) lets one query answer inherited roles and subtrees.
 */
export class ProjectrolesProjects1764000002000 implements MigrationInterface {
  name = 'ProjectrolesProjects1764000002000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE projectroles_role (
        id serial PRIMARY KEY,
        name varchar(64) NOT NULL UNIQUE,
        rank integer NOT NULL,
        project_types varchar(64)[] NOT NULL,
        description text NOT NULL DEFAULT ''
      )`);
    await db.query(`
      INSERT INTO projectroles_role (name, rank, project_types, description) VALUES
        ('project owner', 10, '{CATEGORY,PROJECT}', 'Full access to data and members; one per project'),
        ('project delegate', 20, '{CATEGORY,PROJECT}', 'Like the owner, but cannot change the owner or delegates'),
        ('project contributor', 30, '{CATEGORY,PROJECT}', 'Reads and writes data; in categories may create children'),
        ('project guest', 40, '{CATEGORY,PROJECT}', 'Reads data'),
        ('project viewer', 45, '{CATEGORY,PROJECT}', 'Sees the readme and members, no app data'),
        ('project finder', 50, '{CATEGORY}', 'Sees categories and the titles of their projects')`);
    await db.query(`
      CREATE TABLE projectroles_project (
        id serial PRIMARY KEY,
        sodar_uuid uuid NOT NULL UNIQUE,
        type varchar(64) NOT NULL CHECK (type IN ('CATEGORY', 'PROJECT')),
        title varchar(255) NOT NULL,
        parent_id integer REFERENCES projectroles_project (id) ON DELETE CASCADE,
        ancestor_ids integer[] NOT NULL DEFAULT '{}',
        full_title varchar(4096) NOT NULL,
        description varchar(512) NOT NULL DEFAULT '',
        readme text NOT NULL DEFAULT '',
        public_access_id integer REFERENCES projectroles_role (id),
        archive boolean NOT NULL DEFAULT false,
        has_public_children boolean NOT NULL DEFAULT false,
        date_created timestamptz NOT NULL DEFAULT now(),
        date_modified timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT projectroles_project_unique_path UNIQUE NULLS NOT DISTINCT (parent_id, title)
      )`);
    await db.query('CREATE INDEX projectroles_project_parent ON projectroles_project (parent_id)');
    await db.query('CREATE INDEX projectroles_project_ancestors ON projectroles_project USING gin (ancestor_ids)');
    await db.query('CREATE INDEX projectroles_project_full_title ON projectroles_project (full_title)');
    await db.query(`
      CREATE TABLE projectroles_roleassignment (
        id serial PRIMARY KEY,
        sodar_uuid uuid NOT NULL UNIQUE,
        project_id integer NOT NULL REFERENCES projectroles_project (id) ON DELETE CASCADE,
        user_id integer NOT NULL REFERENCES projectroles_user (id) ON DELETE CASCADE,
        role_id integer NOT NULL REFERENCES projectroles_role (id),
        UNIQUE (project_id, user_id)
      )`);
    await db.query('CREATE INDEX projectroles_roleassignment_user ON projectroles_roleassignment (user_id)');
    // At most one local owner per project, enforced by the database as well as the code.
    await db.query(
      `CREATE UNIQUE INDEX projectroles_roleassignment_one_owner ON projectroles_roleassignment (project_id)
       WHERE role_id = 1`,
    );
    await db.query(`
      CREATE TABLE projectroles_project_star (
        user_id integer NOT NULL REFERENCES projectroles_user (id) ON DELETE CASCADE,
        project_id integer NOT NULL REFERENCES projectroles_project (id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, project_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE projectroles_project_star');
    await db.query('DROP TABLE projectroles_roleassignment');
    await db.query('DROP TABLE projectroles_project');
    await db.query('DROP TABLE projectroles_role');
  }
}
