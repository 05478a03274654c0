/** Creating projects and categories, with their owner, in one transaction. */
import { v4 as uuid4 } from 'uuid';
import type { DataSource, EntityManager } from 'typeorm';
import { BadInputError } from '../app/errors';
import { checkColumnLengths } from '../app/input-limits';
import { ProjectEntity, type Project, type ProjectType, type RoleName, type User } from './entities';

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
export function validateProjectInput(input: Pick<NewProject, 'title' | 'type' | 'parent' | 'publicAccess' | 'description'>): void {
  const title = input.title.trim();
  if (title === '') throw new BadInputError('title: required');
  checkColumnLengths(ProjectEntity, { title, description: input.description });
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

export interface ProjectChanges {
  title: string;
  description: string;
  readme: string;
  publicAccess: 'project guest' | 'project viewer' | null;
  /** The new parent (a category), or null for the top level. */
  parent: Project | null;
}

/** Recomputes has_public_children of the given categories from their subtrees. */
async function refreshPublicChildren(manager: EntityManager, categoryIds: number[]): Promise<void> {
  if (categoryIds.length === 0) return;
  await manager.query(
    `UPDATE projectroles_project c SET has_public_children = EXISTS (
       SELECT 1 FROM projectroles_project d WHERE d.ancestor_ids @> ARRAY[c.id] AND d.public_access_id IS NOT NULL)
     WHERE c.id = ANY ($1::int[])`,
    [categoryIds],
  );
}

/**
 * Updates title, texts, public access and parent (a move) in one transaction; titles and
 * ancestry of the whole subtree follow in one statement. `within` runs in the transaction.
 */
export async function updateProject(
  dataSource: DataSource,
  project: Project,
  changes: ProjectChanges,
  within?: (manager: EntityManager, updated: Project) => Promise<void>,
): Promise<Project> {
  validateProjectInput({ ...changes, type: project.type });
  const parent = changes.parent;
  if (parent && (parent.id === project.id || parent.ancestor_ids.includes(project.id))) {
    throw new BadInputError('parent: a category cannot move below itself');
  }
  const title = changes.title.trim();
  const ancestors = parent ? [...parent.ancestor_ids, parent.id] : [];
  const fullTitle = parent ? `${parent.full_title}${TITLE_SEPARATOR}${title}` : title;
  return dataSource.transaction(async (manager) => {
    const publicAccessId = changes.publicAccess ? await roleId(manager, changes.publicAccess) : null;
    const [rows]: [Project[], number] = await manager.query(
      `UPDATE projectroles_project SET title = $2, description = $3, readme = $4, public_access_id = $5,
         parent_id = $6, ancestor_ids = $7::int[], full_title = $8, date_modified = now()
       WHERE id = $1 AND NOT EXISTS (
         SELECT 1 FROM projectroles_project o WHERE o.parent_id IS NOT DISTINCT FROM $6::int AND o.title = $2 AND o.id <> $1)
       RETURNING *`,
      [project.id, title, changes.description, changes.readme, publicAccessId, parent?.id ?? null, ancestors, fullTitle],
    );
    const updated = rows[0];
    if (!updated) throw new BadInputError(`title: "${title}" exists already ${parent ? `in ${parent.full_title}` : 'at the top level'}`);
    // Descendants: ancestry = new ancestors + this project + what lay below it; titles likewise.
    await manager.query(
      `UPDATE projectroles_project SET
         ancestor_ids = $2::int[] || ancestor_ids[cardinality($3::int[]) + 1:],
         full_title = $4 || substr(full_title, length($5) + 1)
       WHERE ancestor_ids @> ARRAY[$1::int]`,
      [project.id, ancestors, project.ancestor_ids, fullTitle, project.full_title],
    );
    await refreshPublicChildren(manager, [...new Set([...project.ancestor_ids, ...ancestors])]);
    await within?.(manager, updated);
    return updated;
  });
}

/** Archives or unarchives a project (categories cannot be archived). */
export async function setArchived(dataSource: DataSource, project: Project, archive: boolean, within?: (manager: EntityManager) => Promise<void>): Promise<void> {
  if (project.type === 'CATEGORY') throw new BadInputError('archive: categories cannot be archived');
  await dataSource.transaction(async (manager) => {
    await manager.query('UPDATE projectroles_project SET archive = $2, date_modified = now() WHERE id = $1', [project.id, archive]);
    await within?.(manager);
  });
}

export async function hasChildren(db: Pick<DataSource | EntityManager, 'query'>, project: Project): Promise<boolean> {
  const children: unknown[] = await db.query('SELECT 1 FROM projectroles_project WHERE parent_id = $1 LIMIT 1', [project.id]);
  return children.length > 0;
}

/** Deletes a project or an empty category, with its roles and stars. */
export async function deleteProject(dataSource: DataSource, project: Project, within?: (manager: EntityManager) => Promise<void>): Promise<void> {
  await dataSource.transaction(async (manager) => {
    if (await hasChildren(manager, project)) throw new BadInputError('A category with children cannot be deleted: move or delete its children first');
    await within?.(manager);
    await manager.query('DELETE FROM projectroles_project WHERE id = $1', [project.id]);
    await refreshPublicChildren(manager, project.ancestor_ids);
  });
}

/** Categories the user may create projects in (effective owner, delegate or contributor), for parent pickers. */
export async function creatableCategories(db: Pick<DataSource | EntityManager, 'query'>, user: User): Promise<Project[]> {
  return db.query(
    `SELECT c.* FROM projectroles_project c
     WHERE c.type = 'CATEGORY' AND ($2 OR EXISTS (
       SELECT 1 FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id
       WHERE ra.user_id = $1 AND r.rank <= 30 AND (ra.project_id = c.id OR ra.project_id = ANY (c.ancestor_ids))))
     ORDER BY c.full_title LIMIT 1000`,
    [user.id, user.is_superuser],
  );
}
