/**
 * Effective roles with inheritance (SODAR's Project.get_role): a role assigned in a
 * category holds in every descendant whose type the role allows (so finder reaches
 * sub-categories only); the strongest role wins, a tie goes to the deepest (local) one.
 * One query for any number of projects.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { planWithValues } from '../app/statement-plans';
import type { RoleName } from './entities';

export interface EffectiveRole {
  role: RoleName;
  rank: number;
  /** Comes from an ancestor category rather than a local assignment. */
  inherited: boolean;
}

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** The user's effective role in each of `projectIds` that has one. */
export async function effectiveRoles(db: Queryable, userId: number, projectIds: number[]): Promise<Map<number, EffectiveRole>> {
  if (projectIds.length === 0) return new Map();
  const rows: Array<{ project_id: number; name: RoleName; rank: number; inherited: boolean }> = await db.query(
    `SELECT DISTINCT ON (p.id) p.id AS project_id, r.name, r.rank, ra.project_id <> p.id AS inherited
     FROM projectroles_project p
     JOIN projectroles_roleassignment ra ON ra.user_id = $1 AND (ra.project_id = p.id OR ra.project_id = ANY (p.ancestor_ids))
     JOIN projectroles_role r ON r.id = ra.role_id AND p.type = ANY (r.project_types)
     JOIN projectroles_project assigned ON assigned.id = ra.project_id
     WHERE p.id = ANY ($2::int[])
     ORDER BY p.id, r.rank, cardinality(assigned.ancestor_ids) DESC`,
    [userId, projectIds],
  );
  return new Map(rows.map((row) => [row.project_id, { role: row.name, rank: row.rank, inherited: row.inherited }]));
}

/**
 * For categories: whether the user has a local role in some descendant, and whether some
 * descendant is public (SODAR's has_role_in_children / has_public_children), in one query.
 */
export async function childAccess(db: Queryable, userId: number | null, categoryIds: number[]): Promise<Map<number, { childRole: boolean; publicChild: boolean }>> {
  if (categoryIds.length === 0) return new Map();
  // Planned per call: from the user's roles when they are few, from the categories' descendants when they are.
  const rows: Array<{ id: number; child_role: boolean; public_child: boolean }> = await db.query(
    planWithValues(`SELECT c.id,
       EXISTS (SELECT 1 FROM projectroles_project d JOIN projectroles_roleassignment ra ON ra.project_id = d.id
               WHERE d.ancestor_ids @> ARRAY[c.id] AND ra.user_id = $1) AS child_role,
       c.has_public_children AS public_child
     FROM projectroles_project c WHERE c.id = ANY ($2::int[])`),
    [userId ?? -1, categoryIds],
  );
  return new Map(rows.map((row) => [row.id, { childRole: row.child_role, publicChild: row.public_child }]));
}
