/**
 * The children of a category (or the top level) that a user may see, with their role,
 * star and access, in one query whatever the number of projects (SODAR's Ajax project
 * list costs queries per row; this does not). A child is listed when the user is a
 * superuser, has a role in it (local or inherited), it is public, it is a category with a
 * role or a public project somewhere below, or the user is a finder above it (then listed
 * by title only, without access), or it is a top-level category with public statistics
 * (category_public_stats) and the user is logged in. Blocked projects are listed without access.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { planWithValues } from '../app/statement-plans';
import type { ProjectType, RoleName, User } from './entities';

export interface ListedProject {
  id: number;
  sodar_uuid: string;
  type: ProjectType;
  title: string;
  full_title: string;
  description: string;
  archive: boolean;
  public_role: RoleName | null;
  has_public_children: boolean;
  /** Effective role, or null. */
  role: RoleName | null;
  inherited: boolean;
  starred: boolean;
  /** projectroles.project_access_block is on (projects only). */
  blocked: boolean;
  /** Whether the user may open it (finders only see the title; blocked projects only superusers). */
  access: boolean;
}

export interface ListOptions {
  parentId: number | null;
  user: User | null;
  allowAnonymous: boolean;
  starredOnly?: boolean;
  limit: number;
  offset: number;
}

export async function listChildren(db: Pick<DataSource | EntityManager, 'query'>, options: ListOptions): Promise<ListedProject[]> {
  const user = options.user;
  // Top level or one category: spelled out so the planner uses the parent_id index.
  const parentCondition = options.parentId === null ? 'p.parent_id IS NULL AND $2::int IS NULL' : 'p.parent_id = $2::int';
  // Planned per call: the best plan differs between a superuser, a user with a few roles and
  // one with thousands. Each child's path (its ancestors and itself) is looked up in the
  // user's assignments, so a user holding thousands costs no more per child than one holding
  // a few (the home list of an admin owning 10,000 projects took 1.2 s embedded and 3.3 s on
  // PostgreSQL at 10 connections when every child was compared with every assignment); only
  // `below` reads them all, one lookup each, and not for a superuser. The page comes back as
  // one JSON array: on the embedded database the values of the rows cost more than the
  // query's logic (a page of 50 took 2.3 ms as rows, 0.9 ms as JSON).
  type Row = Omit<ListedProject, 'access'> & { child_role: boolean; finder_above: boolean; public_stats: boolean };
  // An aggregate without GROUP BY: always exactly one row.
  const [{ rows }]: [{ rows: Row[] }] = await db.query(
    planWithValues(`WITH kids AS MATERIALIZED (
       SELECT p.id, p.sodar_uuid, p.type, p.title, p.full_title, p.description, p.archive, p.ancestor_ids,
              p.has_public_children, p.public_access_id
       FROM projectroles_project p
       WHERE ${parentCondition}
     ), reach AS (
       -- Each assignment of the user on a child or above it; depth: the nearer, the higher.
       SELECT k.id AS kid, k.type, path.depth, path.project_id <> k.id AS inherited, r.name, r.rank, r.project_types
       FROM kids k
       CROSS JOIN LATERAL unnest(k.ancestor_ids || k.id) WITH ORDINALITY AS path(project_id, depth)
       JOIN projectroles_roleassignment ra ON ra.project_id = path.project_id AND ra.user_id = $1
       JOIN projectroles_role r ON r.id = ra.role_id
     ), effective AS (
       SELECT DISTINCT ON (kid) kid, name, inherited FROM reach
       WHERE type = ANY (project_types)
       ORDER BY kid, rank, depth DESC
     ), below AS MATERIALIZED (
       -- Categories holding one of the user's assignments somewhere below them: a lookup per
       -- assignment (a join was planned as a scan of every project).
       SELECT DISTINCT unnest((SELECT d.ancestor_ids FROM projectroles_project d WHERE d.id = ra.project_id)) AS id
       FROM projectroles_roleassignment ra
       WHERE ra.user_id = $1 AND NOT $3
     )
     SELECT coalesce(json_agg(page ORDER BY page.type, page.title), '[]') AS rows FROM (SELECT listed.*,
       -- For the page's rows only: one lookup each in the setting table's unique index.
       listed.type = 'PROJECT' AND EXISTS (SELECT 1 FROM projectroles_appsetting b
         WHERE b.project_id = listed.id AND b.user_id IS NULL AND b.plugin_name = 'projectroles' AND b.name = 'project_access_block' AND b.value = 'true'::jsonb) AS blocked
     FROM (
       SELECT k.id, k.sodar_uuid, k.type, k.title, k.full_title, k.description, k.archive, k.has_public_children,
              pr.name AS public_role, e.name AS role, coalesce(e.inherited, false) AS inherited,
              k.id IN (SELECT id FROM below) AS child_role,
              EXISTS (SELECT 1 FROM reach f WHERE f.kid = k.id AND f.inherited AND f.name = 'project finder') AS finder_above,
              EXISTS (SELECT 1 FROM projectroles_project_star s WHERE s.user_id = $1 AND s.project_id = k.id) AS starred,
              -- The few categories with public stats, read once (by plugin and name) and hashed:
              -- a lookup per child cost the home list's 200 top-level categories 200 index probes.
              k.type = 'CATEGORY' AND cardinality(k.ancestor_ids) = 0 AND k.id IN (SELECT ps.project_id FROM projectroles_appsetting ps
                WHERE ps.plugin_name = 'projectroles' AND ps.name = 'category_public_stats' AND ps.user_id IS NULL AND ps.value = 'true'::jsonb) AS public_stats
       FROM kids k
       LEFT JOIN projectroles_role pr ON pr.id = k.public_access_id
       LEFT JOIN effective e ON e.kid = k.id
     ) listed
     WHERE ($3 OR listed.role IS NOT NULL
            OR (listed.public_role IS NOT NULL AND ($4 OR $5))
            OR (listed.type = 'CATEGORY' AND (listed.child_role OR (listed.has_public_children AND ($4 OR $5))))
            OR (listed.public_stats AND $4)
            OR listed.finder_above)
       AND (NOT $6 OR listed.starred)
     ORDER BY listed.type, listed.title
     LIMIT $7 OFFSET $8) page`),
    [user?.id ?? -1, options.parentId, user?.is_superuser === true, user !== null, options.allowAnonymous, options.starredOnly === true, options.limit, options.offset],
  );
  const publicVisible = user !== null || options.allowAnonymous;
  // Rows listed only because of a finder role above them are titles without access; blocked
  // projects are listed without access too (the guard would turn the user away).
  return rows.map(({ child_role, finder_above: _finder, public_stats, ...row }) => ({
    ...row,
    access:
      user?.is_superuser === true ||
      (!row.blocked &&
        (row.role !== null ||
          (row.public_role !== null && publicVisible) ||
          (row.type === 'CATEGORY' && (child_role || (row.has_public_children && publicVisible) || (public_stats && user !== null))))),
  }));
}
