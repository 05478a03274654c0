/**
 * Changing who is in a project: add, change, remove, leave, owner transfer. Each runs in
 * one transaction with the plugins' modify hooks (reverted in reverse on failure), and
 * keeps SODAR's rules (reference §1.4, §5.3, §6.3): one local owner, owner changes only
 * by transfer, finder only in categories, no local role weaker than an inherited one,
 * at most DELEGATE_LIMIT local delegates.
 *
 * Two changes of one project never overlap: each first locks the project's row, then
 * checks everything again (the actor's right, the assignment it was shown, the limits)
 * against what the change before it left behind. What the page read earlier is a hint only.
 */
import { v4 as uuid4 } from 'uuid';
import type { DataSource, EntityManager } from 'typeorm';
import { BadInputError, ConflictError, NotFoundError } from '../app/errors';
import type { Project, RoleName, User } from './entities';
import { runModifyHooks } from './modify-hooks';
import type { ProjectRow } from './projects';
import type { PluginRegistry } from './registry';
import { effectiveRoles } from './roles';
import { ownerTransferred, roleChanged } from './timeline-events';

export interface AssignmentRow {
  id: number;
  sodar_uuid: string;
  project_id: number;
  user_id: number;
  role: RoleName;
  rank: number;
}

export interface MemberDeps {
  dataSource: DataSource;
  registry: PluginRegistry;
  /** Local delegates allowed per project; 0 means no limit. */
  delegateLimit: number;
}

type Manager = Pick<EntityManager, 'query'>;

/** Who asks for a change of which project, and how to tell whether they still may once it is their turn. */
export interface MemberChange {
  project: Project;
  actor: User;
  /** Decides the actor's right again inside the lock: the change before may have taken it away. */
  authorize: (manager: Manager, project: ProjectRow) => Promise<boolean>;
}

/**
 * Runs `apply` in a transaction that holds the project's row (FOR NO KEY UPDATE: other
 * membership changes of the project wait, rows that merely reference it do not), on the
 * project as it is now, after the actor's right is checked again.
 */
async function withProjectLocked<T>(deps: MemberDeps, change: MemberChange, apply: (manager: EntityManager, project: ProjectRow) => Promise<T>): Promise<T> {
  return deps.dataSource.transaction(async (manager) => {
    const [project]: ProjectRow[] = await manager.query(
      `SELECT p.*, r.name AS public_role FROM projectroles_project p LEFT JOIN projectroles_role r ON r.id = p.public_access_id
       WHERE p.id = $1 FOR NO KEY UPDATE OF p`,
      [change.project.id],
    );
    if (!project) throw new NotFoundError(`No project with sodar_uuid ${change.project.sodar_uuid} (it was deleted meanwhile)`);
    if (!(await change.authorize(manager, project))) {
      throw new ConflictError('Your role in this project changed meanwhile and no longer allows this change; reload the page');
    }
    return apply(manager, project);
  });
}

async function roleByName(manager: Manager, name: string): Promise<{ id: number; rank: number; project_types: string[] }> {
  const [role] = await manager.query('SELECT id, rank, project_types FROM projectroles_role WHERE name = $1', [name]);
  if (!role) throw new BadInputError(`role: unknown role "${name}"`);
  return role;
}

export async function assignmentByUuid(manager: Manager, uuid: string): Promise<AssignmentRow | null> {
  const [row] = await manager.query(
    `SELECT ra.id, ra.sodar_uuid, ra.project_id, ra.user_id, r.name AS role, r.rank
     FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id WHERE ra.sodar_uuid = $1`,
    [uuid],
  );
  return row ?? null;
}

/**
 * The assignment `seen` (what the page decided on) as it is inside the lock: gone is a
 * 404, another role a 409, since the actor's right and the rules were checked for the old one.
 */
async function currentAssignment(manager: Manager, seen: AssignmentRow): Promise<AssignmentRow> {
  const current = await assignmentByUuid(manager, seen.sodar_uuid);
  if (!current || current.project_id !== seen.project_id) throw new NotFoundError(`No role assignment with sodar_uuid ${seen.sodar_uuid} (it was removed meanwhile)`);
  if (current.role !== seen.role) throw new ConflictError(`role: the role changed meanwhile from ${seen.role} to ${current.role}; reload the page`);
  return current;
}

async function localAssignment(manager: Manager, projectId: number, userId: number): Promise<AssignmentRow | null> {
  const [row] = await manager.query(
    `SELECT ra.id, ra.sodar_uuid, ra.project_id, ra.user_id, r.name AS role, r.rank
     FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id WHERE ra.project_id = $1 AND ra.user_id = $2`,
    [projectId, userId],
  );
  return row ?? null;
}

/** The role checks shared by adding and changing a member. */
async function checkRole(deps: MemberDeps, manager: Manager, project: Project, userId: number, roleName: RoleName, replacing: AssignmentRow | null) {
  if (roleName === 'project owner') throw new BadInputError('role: the owner changes only by owner transfer');
  const role = await roleByName(manager, roleName);
  if (!role.project_types.includes(project.type)) throw new BadInputError(`role: Invalid project type "${project.type}" for role "${roleName}"`);
  // The strongest role inherited from the ancestors only (the local one left out).
  const [inherited] = await manager.query(
    `SELECT min(r.rank) AS rank FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id
     WHERE ra.user_id = $1 AND ra.project_id = ANY ($2::int[]) AND $3::varchar = ANY (r.project_types)`,
    [userId, project.ancestor_ids, project.type],
  );
  if (inherited?.rank !== null && inherited?.rank !== undefined && role.rank > inherited.rank) {
    throw new BadInputError('role: demoting from an inherited role is not allowed');
  }
  if (roleName === 'project delegate' && deps.delegateLimit > 0 && replacing?.role !== 'project delegate') {
    const [count] = await manager.query(
      "SELECT count(*)::int AS n FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id WHERE ra.project_id = $1 AND r.name = 'project delegate'",
      [project.id],
    );
    if (count.n >= deps.delegateLimit) throw new BadInputError(`role: the limit of ${deps.delegateLimit} local delegate(s) is reached`);
  }
  return role;
}

export async function addMember(deps: MemberDeps, change: MemberChange, user: User, roleName: RoleName): Promise<string> {
  return withProjectLocked(deps, change, async (manager, project) => {
    if (await localAssignment(manager, project.id, user.id)) throw new BadInputError(`user: ${user.username} already has a role in this project; change it instead`);
    const role = await checkRole(deps, manager, project, user.id, roleName, null);
    const uuid = uuid4();
    await manager.query('INSERT INTO projectroles_roleassignment (sodar_uuid, project_id, user_id, role_id) VALUES ($1, $2, $3, $4)', [uuid, project.id, user.id, role.id]);
    await roleChanged(deps.registry, manager, change.actor, project, user.id, roleName, 'create');
    await runModifyHooks(deps.registry, 'RoleModify', { action: 'CREATE', manager, project, user, role: roleName });
    return uuid;
  });
}

export async function changeMember(deps: MemberDeps, change: MemberChange, seen: AssignmentRow, roleName: RoleName): Promise<void> {
  if (seen.role === 'project owner') throw new BadInputError('role: the owner changes only by owner transfer');
  await withProjectLocked(deps, change, async (manager, project) => {
    const assignment = await currentAssignment(manager, seen);
    const role = await checkRole(deps, manager, project, assignment.user_id, roleName, assignment);
    await manager.query('UPDATE projectroles_roleassignment SET role_id = $2 WHERE id = $1', [assignment.id, role.id]);
    await roleChanged(deps.registry, manager, change.actor, project, assignment.user_id, roleName, 'update');
    await runModifyHooks(deps.registry, 'RoleModify', { action: 'UPDATE', manager, project, assignment, role: roleName, oldRole: assignment.role });
  });
}

export async function removeMember(deps: MemberDeps, change: MemberChange, seen: AssignmentRow): Promise<void> {
  if (seen.role === 'project owner') throw new BadInputError('The owner cannot be removed; transfer ownership first');
  await withProjectLocked(deps, change, async (manager, project) => {
    const assignment = await currentAssignment(manager, seen);
    await manager.query('DELETE FROM projectroles_roleassignment WHERE id = $1', [assignment.id]);
    await roleChanged(deps.registry, manager, change.actor, project, assignment.user_id, assignment.role, 'delete');
    await runModifyHooks(deps.registry, 'RoleDelete', { action: 'DELETE', manager, project, assignment });
  });
}

/**
 * Makes `newOwner` (who must hold a role here, local or inherited) the local owner and
 * gives the old owner `oldOwnerRole` (not weaker than a role they inherit), or with null
 * removes the old owner's local role (they keep what they inherit).
 */
export async function transferOwner(deps: MemberDeps, change: MemberChange, newOwner: User, oldOwnerRole: RoleName | null): Promise<void> {
  await withProjectLocked(deps, change, async (manager, project) => {
    const [owner]: AssignmentRow[] = await manager.query(
      "SELECT ra.id, ra.user_id FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id WHERE ra.project_id = $1 AND r.name = 'project owner'",
      [project.id],
    );
    if (!owner) throw new BadInputError('This project has no local owner to transfer from');
    if (owner.user_id === newOwner.id) throw new BadInputError(`new_owner: ${newOwner.username} is already the owner`);
    if (!(await effectiveRoles(manager, newOwner.id, [project.id])).has(project.id)) {
      throw new BadInputError(`new_owner: ${newOwner.username} has no role in this project`);
    }
    if (oldOwnerRole === null) {
      await manager.query('DELETE FROM projectroles_roleassignment WHERE id = $1', [owner.id]);
    } else {
      const oldRole = await checkRole(deps, manager, project, owner.user_id, oldOwnerRole, null);
      await manager.query('UPDATE projectroles_roleassignment SET role_id = $2 WHERE id = $1', [owner.id, oldRole.id]);
    }
    const ownerRole = await roleByName(manager, 'project owner');
    await manager.query(
      `INSERT INTO projectroles_roleassignment (sodar_uuid, project_id, user_id, role_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (project_id, user_id) DO UPDATE SET role_id = EXCLUDED.role_id`,
      [uuid4(), project.id, newOwner.id, ownerRole.id],
    );
    await ownerTransferred(deps.registry, manager, change.actor, project, owner.user_id, newOwner);
    await runModifyHooks(deps.registry, 'OwnerTransfer', { action: 'TRANSFER', manager, project, newOwner, oldOwnerId: owner.user_id, oldOwnerRole });
  });
}
