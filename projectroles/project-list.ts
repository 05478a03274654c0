/**
 * The children of a category (or the top level) that a user may see, with their role,
 * star and access, in one query whatever the number of projects (SODAR's Ajax project
 * list costs queries per row; this does not). A child is listed when the user is a
 * superuser, has a role in it (local or inherited), it is public, it is a category with a
 * role or a public project somewhere below, or the user is a finder above it (then listed
 * by title only, without access).
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
  /** Whether the user may open it (finders only see the title). */
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
  // Planned per call: the best plan differs between a superuser, a user with a few roles and one with thousands.
  const rows: Array<ListedProject & { child_role: boolean; finder_above: boolean; ancestor_ids: number[] }> = await db.query(
    planWithValues(`WITH ua AS (
       SELECT ra.project_id, r.name, r.rank, r.project_types
       FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id
       WHERE ra.user_id = $1
     ), above_roles AS (
       -- Categories holding one of the user's assignments somewhere below them.
       SELECT DISTINCT unnest(d.ancestor_ids) AS id FROM ua JOIN projectroles_project d ON d.id = ua.project_id
     ), kids AS (
       SELECT p.id, p.sodar_uuid, p.type, p.title, p.full_title, p.description, p.archive, p.ancestor_ids,
              p.has_public_children, pr.name AS public_role
       FROM projectroles_project p LEFT JOIN projectroles_role pr ON pr.id = p.public_access_id
       WHERE ${parentCondition}
     ), scored AS (
       SELECT k.*, eff.name AS role, coalesce(eff.inherited, false) AS inherited,
         k.id IN (SELECT id FROM above_roles) AS child_role,
         k.ancestor_ids && ARRAY(SELECT project_id FROM ua WHERE name = 'project finder') AS finder_above,
         EXISTS (SELECT 1 FROM projectroles_project_star s WHERE s.user_id = $1 AND s.project_id = k.id) AS starred
       FROM kids k
       LEFT JOIN LATERAL (
         SELECT ua.name, ua.project_id <> k.id AS inherited
         FROM ua JOIN projectroles_project a ON a.id = ua.project_id
         WHERE (ua.project_id = k.id OR ua.project_id = ANY (k.ancestor_ids)) AND k.type = ANY (ua.project_types)
         ORDER BY ua.rank, cardinality(a.ancestor_ids) DESC LIMIT 1
       ) eff ON true
     )
     SELECT * FROM scored s
     WHERE ($3 OR s.role IS NOT NULL
            OR (s.public_role IS NOT NULL AND ($4 OR $5))
            OR (s.type = 'CATEGORY' AND (s.child_role OR (s.has_public_children AND ($4 OR $5))))
            OR s.finder_above)
       AND (NOT $6 OR s.starred)
     ORDER BY s.type, s.title
     LIMIT $7 OFFSET $8`),
    [user?.id ?? -1, options.parentId, user?.is_superuser === true, user !== null, options.allowAnonymous, options.starredOnly === true, options.limit, options.offset],
  );
  const publicVisible = user !== null || options.allowAnonymous;
  // Rows listed only because of a finder role above them are titles without access.
  return rows.map(({ child_role, finder_above: _finder, ancestor_ids: _ancestors, ...row }) => ({
    ...row,
    access:
      user?.is_superuser === true ||
      row.role !== null ||
      (row.public_role !== null && publicVisible) ||
      (row.type === 'CATEGORY' && (child_role || (row.has_public_children && publicVisible))),
  }));
}
