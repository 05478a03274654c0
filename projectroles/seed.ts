/**
 * Demo and load-test data. Idempotent: running it twice changes nothing the second time.
 * Bulk rows go in with one INSERT ... SELECT per chunk, never one round trip per row.
 */
import type { DataSource } from 'typeorm';
import type { AppSettings } from './app-settings';
import { UserEntity, type Project, type User } from './entities';
import { hashPassword } from './passwords';
import { assignRole, createProject } from './projects';

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
  const added = await dataSource.transaction(async (manager) => {
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
  // Fresh planner statistics: the embedded database has no autovacuum to gather them.
  await dataSource.query('ANALYZE');
  return added;
}

/** Demo categories and projects: who is what, so a newcomer sees a living site. */
const DEMO_TREE = [
  { title: 'Genomics', type: 'CATEGORY', parent: null, owner: 'alice', description: 'Sequencing studies', members: { carol: 'project contributor', erin: 'project viewer' } },
  { title: 'Rare Disease Exomes', type: 'PROJECT', parent: 'Genomics', owner: 'alice', description: 'Trio exomes of undiagnosed patients', members: { bob: 'project delegate', dave: 'project guest' }, readme: '# Rare Disease Exomes\n\nTrio exome sequencing.\n\n* Samples: 120 families\n* Pipeline: GATK' },
  { title: 'Cancer Panels', type: 'PROJECT', parent: 'Genomics', owner: 'bob', description: 'Targeted tumour panels', members: {}, publicAccess: 'project guest' },
  { title: 'Imaging', type: 'CATEGORY', parent: null, owner: 'bob', description: 'Microscopy and MRI', members: { dave: 'project finder' } },
  { title: 'Cell Atlas', type: 'PROJECT', parent: 'Imaging', owner: 'bob', description: 'Light-sheet microscopy', members: { alice: 'project contributor' } },
] as const;

/** Creates the demo tree once (skipped when Genomics exists); needs the demo users. */
export async function seedDemoProjects(dataSource: DataSource): Promise<number> {
  const exists: unknown[] = await dataSource.query("SELECT 1 FROM projectroles_project WHERE title = 'Genomics' AND parent_id IS NULL");
  if (exists.length > 0) return 0;
  const users = new Map<string, User>();
  for (const user of await dataSource.getRepository(UserEntity).findBy(DEMO_USERS.map((u) => ({ username: u.username })))) users.set(user.username, user);
  const made = new Map<string, Project>();
  for (const item of DEMO_TREE) {
    const project = await createProject(dataSource, {
      title: item.title,
      type: item.type,
      parent: item.parent ? made.get(item.parent)! : null,
      owner: users.get(item.owner)!,
      description: item.description,
      readme: 'readme' in item ? item.readme : '',
      publicAccess: 'publicAccess' in item ? item.publicAccess : null,
    });
    made.set(item.title, project);
    for (const [username, role] of Object.entries(item.members)) await assignRole(dataSource, project, users.get(username)!, role);
  }
  return made.size;
}

/** Demo settings: an IP allow list ready to switch on, a category with public statistics, a user's page size. */
const DEMO_SETTINGS = [
  { name: 'ip_allow_list', project: 'Rare Disease Exomes', user: null, value: '192.168.0.0/16,10.0.0.1' },
  { name: 'ip_restrict', project: 'Rare Disease Exomes', user: null, value: false },
  { name: 'category_public_stats', project: 'Imaging', user: null, value: true },
  { name: 'project_list_pagination', project: null, user: 'alice', value: 25 },
] as const;

/**
 * Stores the demo settings that have no row yet (a value changed since stays), through the
 * settings API so each passes its definition's checks; needs the demo tree and users.
 */
export async function seedDemoSettings(dataSource: DataSource, settings: AppSettings): Promise<number> {
  const projects: Project[] = await dataSource.query('SELECT * FROM projectroles_project WHERE title = ANY ($1::text[])', [DEMO_SETTINGS.map((s) => s.project)]);
  const users = await dataSource.getRepository(UserEntity).findBy(DEMO_SETTINGS.flatMap((s) => (s.user ? [{ username: s.user }] : [])));
  const stored: Array<{ name: string; project_id: number | null; user_id: number | null }> = await dataSource.query(
    "SELECT name, project_id, user_id FROM projectroles_appsetting WHERE plugin_name = 'projectroles'",
  );
  let added = 0;
  for (const demo of DEMO_SETTINGS) {
    const project = projects.find((p) => p.title === demo.project) ?? null;
    const user = users.find((u) => u.username === demo.user) ?? null;
    if ((demo.project && !project) || (demo.user && !user)) continue;
    if (stored.some((row) => row.name === demo.name && row.project_id === (project?.id ?? null) && row.user_id === (user?.id ?? null))) continue;
    await settings.set('projectroles', demo.name, demo.value, { project, user });
    added += 1;
  }
  return added;
}
