/**
 * Demo and load-test data. Idempotent: running it twice changes nothing the second time.
 * Bulk rows go in with one INSERT ... SELECT per chunk, never one round trip per row.
 */
import type { DataSource } from 'typeorm';
import { hashPassword } from './passwords';

export const DEMO_USERS = [
  { username: 'alice', name: 'Alice Owner', email: 'alice@example.com' },
  { username: 'bob', name: 'Bob Delegate', email: 'bob@example.com' },
  { username: 'carol', name: 'Carol Contributor', email: 'carol@example.com' },
  { username: 'dave', name: 'Dave Guest', email: 'dave@example.com' },
  { username: 'erin', name: 'Erin Viewer', email: 'erin@example.com' },
];

const CHUNK = 5000;

/** Inserts users that do not exist yet; returns how many were added. */
async function insertUsers(
  dataSource: DataSource,
  users: Array<{ username: string; name: string; email: string }>,
  passwordHash: string,
): Promise<number> {
  const rows: unknown[] = await dataSource.query(
    `INSERT INTO projectroles_user (sodar_uuid, username, name, email, password, date_joined)
     SELECT gen_random_uuid(), u.username, u.name, u.email, $4, now()
     FROM unnest($1::text[], $2::text[], $3::text[]) AS u(username, name, email)
     ON CONFLICT (username) DO NOTHING
     RETURNING id`,
    [users.map((u) => u.username), users.map((u) => u.name), users.map((u) => u.email), passwordHash],
  );
  return rows.length;
}

export async function seedDemoUsers(dataSource: DataSource, password: string): Promise<number> {
  return insertUsers(dataSource, DEMO_USERS, await hashPassword(password));
}

/**
 * Load-test users `user000001`..: they share one password hash, computed once, because
 * scrypt per user would make a 100,000-user seed take an hour for no benefit.
 */
export async function seedLoadUsers(
  dataSource: DataSource,
  count: number,
  password: string,
  onProgress: (done: number, total: number) => void,
): Promise<number> {
  const hash = await hashPassword(password);
  let added = 0;
  for (let start = 1; start <= count; start += CHUNK) {
    const end = Math.min(count, start + CHUNK - 1);
    const users = [];
    for (let i = start; i <= end; i += 1) {
      const username = `user${String(i).padStart(6, '0')}`;
      users.push({ username, name: `Load User ${i}`, email: `${username}@example.com` });
    }
    added += await insertUsers(dataSource, users, hash);
    onProgress(end, count);
  }
  return added;
}

export interface LoadProjectsOptions {
  categories: number;
  projects: number;
  /** Owner of every load-test category and project. */
  ownerId: number;
}

/**
 * Load-test categories `Load category 0001`.. and projects spread over them round-robin,
 * each with its owner: three INSERT ... SELECT statements, idempotent.
 */
export async function seedLoadProjects(dataSource: DataSource, options: LoadProjectsOptions): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await manager.query(
      `INSERT INTO projectroles_project (sodar_uuid, type, title, parent_id, ancestor_ids, full_title)
       SELECT gen_random_uuid(), 'CATEGORY', t.title, NULL, '{}', t.title
       FROM (SELECT 'Load category ' || lpad(i::text, 4, '0') AS title FROM generate_series(1, $1) i) t
       ON CONFLICT ON CONSTRAINT projectroles_project_unique_path DO NOTHING`,
      [options.categories],
    );
    const inserted: unknown[] = await manager.query(
      `WITH cats AS (
         SELECT id, full_title, row_number() OVER (ORDER BY title) - 1 AS n
         FROM projectroles_project WHERE parent_id IS NULL AND title LIKE 'Load category %' AND title <= 'Load category ' || lpad($2::text, 4, '0')
       )
       INSERT INTO projectroles_project (sodar_uuid, type, title, parent_id, ancestor_ids, full_title)
       SELECT gen_random_uuid(), 'PROJECT', t.title, c.id, ARRAY[c.id], c.full_title || ' / ' || t.title
       FROM (SELECT i, 'Load project ' || lpad(i::text, 6, '0') AS title FROM generate_series(1, $1) i) t
       JOIN cats c ON c.n = (t.i - 1) % $2::int
       ON CONFLICT ON CONSTRAINT projectroles_project_unique_path DO NOTHING
       RETURNING id`,
      [options.projects, options.categories],
    );
    await manager.query(
      `INSERT INTO projectroles_roleassignment (sodar_uuid, project_id, user_id, role_id)
       SELECT gen_random_uuid(), p.id, $1, (SELECT id FROM projectroles_role WHERE name = 'project owner')
       FROM projectroles_project p
       WHERE p.title LIKE 'Load %' AND NOT EXISTS (SELECT 1 FROM projectroles_roleassignment ra WHERE ra.project_id = p.id AND ra.role_id = (SELECT id FROM projectroles_role WHERE name = 'project owner'))`,
      [options.ownerId],
    );
    return inserted.length;
  });
}
