/** Members of a project: local and inherited, one effective role per user (reference §1.5). */
import type { DataSource, EntityManager } from 'typeorm';
import type { Project, RoleName } from './entities';

export interface Member {
  user_uuid: string;
  username: string;
  name: string;
  email: string;
  role: RoleName;
  rank: number;
  inherited: boolean;
  assignment_uuid: string;
  /** Where the role was assigned (this project or an ancestor category). */
  source_title: string;
}

/** A page of members sorted by rank then username, with the total; two queries' worth in one. */
export async function listMembers(
  db: Pick<DataSource | EntityManager, 'query'>,
  project: Project,
  page: { limit: number; offset: number },
): Promise<{ members: Member[]; total: number }> {
  const rows: Array<Member & { total: number }> = await db.query(
    `WITH effective AS (
       SELECT DISTINCT ON (ra.user_id) ra.user_id, ra.sodar_uuid AS assignment_uuid, r.name AS role, r.rank,
              ra.project_id <> $1 AS inherited, src.full_title AS source_title
       FROM projectroles_roleassignment ra
       JOIN projectroles_role r ON r.id = ra.role_id AND $3::varchar = ANY (r.project_types)
       JOIN projectroles_project src ON src.id = ra.project_id
       WHERE ra.project_id = $1 OR ra.project_id = ANY ($2::int[])
       ORDER BY ra.user_id, r.rank, cardinality(src.ancestor_ids) DESC
     )
     SELECT u.sodar_uuid AS user_uuid, u.username, u.name, u.email, e.role, e.rank, e.inherited,
            e.assignment_uuid, e.source_title, count(*) OVER () AS total
     FROM effective e JOIN projectroles_user u ON u.id = e.user_id
     ORDER BY e.rank, u.username
     LIMIT $4 OFFSET $5`,
    [project.id, project.ancestor_ids, project.type, page.limit, page.offset],
  );
  return { members: rows.map(({ total: _total, ...member }) => member), total: rows[0]?.total ?? 0 };
}
