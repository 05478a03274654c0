/** Creating projects and categories, with their owner, in one transaction. */
import { v4 as uuid4 } from 'uuid';
import type { DataSource, EntityManager } from 'typeorm';
import { BadInputError } from '../app/errors';
import type { Project, ProjectType, RoleName, User } from './entities';

export interface NewProject {
  title: string;
  type: ProjectType;
  parent: Project | null;
  owner: User;
  description?: string;
  readme?: string;
  /** Role given to everyone (projects only). */
  publicAccess?: 'project guest' | 'project viewer' | null;
}

const TITLE_SEPARATOR = ' / ';

/** SODAR's title rules; throws BadInputError naming the field. */
export function validateProjectInput(input: NewProject): void {
  const title = input.title.trim();
  if (title === '' || title.length > 255) throw new BadInputError('title: 1-255 characters');
  if (title.includes(TITLE_SEPARATOR) || title.startsWith('/') || title.endsWith('/')) {
    throw new BadInputError(`title: may not contain "${TITLE_SEPARATOR}" nor start or end with "/"`);
  }
  if (input.parent && input.parent.title === title) throw new BadInputError('title: may not equal the parent title');
  if (input.parent && input.parent.type !== 'CATEGORY') throw new BadInputError('parent: only categories may have children');
  if (input.publicAccess && input.type === 'CATEGORY') throw new BadInputError('public_access: only projects can be public');
}

async function roleId(manager: EntityManager, name: RoleName): Promise<number> {
  const [row]: Array<{ id: number }> = await manager.query('SELECT id FROM projectroles_role WHERE name = $1', [name]);
  if (!row) throw new Error(`Role "${name}" is missing: were the migrations run?`);
  return row.id;
}

async function insertProject(manager: EntityManager, input: NewProject): Promise<Project> {
  const title = input.title.trim();
  const parent = input.parent;
  const publicAccessId = input.publicAccess ? await roleId(manager, input.publicAccess) : null;
  const [project]: Project[] = await manager.query(
    `INSERT INTO projectroles_project (sodar_uuid, type, title, parent_id, ancestor_ids, full_title, description, readme, public_access_id)
     VALUES ($1, $2, $3, $4, $5::int[], $6, $7, $8, $9)
     ON CONFLICT ON CONSTRAINT projectroles_project_unique_path DO NOTHING
     RETURNING *`,
    [
      uuid4(),
      input.type,
      title,
      parent?.id ?? null,
      parent ? [...parent.ancestor_ids, parent.id] : [],
      parent ? `${parent.full_title}${TITLE_SEPARATOR}${title}` : title,
      input.description ?? '',
      input.readme ?? '',
      publicAccessId,
    ],
  );
  if (!project) throw new BadInputError(`title: "${title}" exists already ${parent ? `in ${parent.full_title}` : 'at the top level'}`);
  if (publicAccessId && project.ancestor_ids.length > 0) {
    await manager.query('UPDATE projectroles_project SET has_public_children = true WHERE id = ANY ($1::int[])', [project.ancestor_ids]);
  }
  return project;
}

/** Creates the project and its owner assignment; `within` runs in the same transaction (events, hooks). */
export async function createProject(
  dataSource: DataSource,
  input: NewProject,
  within?: (manager: EntityManager, project: Project) => Promise<void>,
): Promise<Project> {
  validateProjectInput(input);
  return dataSource.transaction(async (manager) => {
    const project = await insertProject(manager, input);
    await manager.query('INSERT INTO projectroles_roleassignment (sodar_uuid, project_id, user_id, role_id) VALUES ($1, $2, $3, $4)', [
      uuid4(),
      project.id,
      input.owner.id,
      await roleId(manager, 'project owner'),
    ]);
    await within?.(manager, project);
    return project;
  });
}

/** Gives `user` a local role in `project` (validation of the member rules comes with the member views). */
export async function assignRole(dataSource: DataSource | EntityManager, project: Project, user: User, role: RoleName): Promise<void> {
  const manager = 'manager' in dataSource ? dataSource.manager : dataSource;
  const [row]: Array<{ id: number; project_types: ProjectType[] }> = await manager.query('SELECT id, project_types FROM projectroles_role WHERE name = $1', [role]);
  if (!row) throw new BadInputError(`role: unknown role "${role}"`);
  if (!row.project_types.includes(project.type)) throw new BadInputError(`role: Invalid project type "${project.type}" for role "${role}"`);
  await manager.query('INSERT INTO projectroles_roleassignment (sodar_uuid, project_id, user_id, role_id) VALUES ($1, $2, $3, $4)', [uuid4(), project.id, user.id, row.id]);
}

/** A project with the name of its public access role, as the rules want it. */
export type ProjectRow = Project & { public_role: RoleName | null };

/** Projects by sodar_uuid, with their public role; unknown UUIDs are simply absent. */
export async function projectsByUuid(db: Pick<DataSource | EntityManager, 'query'>, uuids: string[]): Promise<ProjectRow[]> {
  return db.query(
    `SELECT p.*, r.name AS public_role FROM projectroles_project p
     LEFT JOIN projectroles_role r ON r.id = p.public_access_id
     WHERE p.sodar_uuid = ANY ($1::uuid[])`,
    [uuids],
  );
}
