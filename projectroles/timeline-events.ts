/**
 * The events projectroles records in the timeline (reference §3.5), through
 * `getBackendApi('timeline')`: with timeline absent or disabled nothing is recorded and
 * everything else works. Each is written in the transaction of its change, so a change
 * and its event commit or roll back together; they are stored with status OK, as SODAR's
 * add_event (INIT) + set_status(OK) ends when the change succeeds.
 */
import type { EntityManager } from 'typeorm';
import type { EventObject } from '../timeline/api';
import type { Project, RoleName, User } from './entities';
import type { PluginRegistry } from './registry';

type Actor = Pick<User, 'id'> | null;
type Person = Pick<User, 'sodar_uuid' | 'username'>;

interface ProjectEvent {
  project: Pick<Project, 'id' | 'sodar_uuid'> | null;
  eventName: string;
  description: string;
  objects?: EventObject[];
  extraData?: Record<string, unknown>;
  classified?: boolean;
}

async function record(registry: PluginRegistry, manager: EntityManager, actor: Actor, event: ProjectEvent): Promise<void> {
  const timeline = registry.getBackendApi('timeline');
  if (!timeline) return;
  await timeline.addEvent({ ...event, app: 'projectroles', user: actor, statusType: 'OK', manager });
}

const person = (label: string, user: Person): EventObject => ({ label, ref: { model: 'User', uuid: user.sodar_uuid }, name: user.username });
const typeName = (project: Pick<Project, 'type'>) => project.type.toLowerCase();

async function personById(manager: EntityManager, id: number): Promise<Person> {
  const [row]: Person[] = await manager.query('SELECT sodar_uuid, username FROM projectroles_user WHERE id = $1', [id]);
  return row ?? { sodar_uuid: '00000000-0000-0000-0000-000000000000', username: '(deleted)' };
}

export function projectCreated(registry: PluginRegistry, manager: EntityManager, actor: Actor, project: Project, owner: Person): Promise<void> {
  return record(registry, manager, actor, {
    project,
    eventName: 'project_create',
    description: `create ${typeName(project)} with {owner} as owner`,
    objects: [person('owner', owner)],
    extraData: { title: project.title, owner: owner.username, description: project.description, readme: project.readme },
  });
}

const UPDATE_FIELDS = ['title', 'description', 'readme', 'public_access_id', 'parent_id'] as const;

export function projectUpdated(registry: PluginRegistry, manager: EntityManager, actor: Actor, before: Project, after: Project): Promise<void> {
  const changed = UPDATE_FIELDS.filter((field) => before[field] !== after[field]);
  const names = changed.map((field) => field.replace(/_id$/, ''));
  return record(registry, manager, actor, {
    project: after,
    eventName: 'project_update',
    description: `update ${typeName(after)}${names.length ? ` (${names.join(', ')})` : ''}`,
    extraData: Object.fromEntries(changed.map((field) => [field, after[field]])),
  });
}

export function projectArchived(registry: PluginRegistry, manager: EntityManager, actor: Actor, project: Project, archive: boolean): Promise<void> {
  const verb = archive ? 'archive' : 'unarchive';
  return record(registry, manager, actor, { project, eventName: `project_${verb}`, description: `${verb} project` });
}

/** Site-wide and classified: the project's own events go with it (reference §3.5). */
export async function projectDeleted(registry: PluginRegistry, manager: EntityManager, actor: Actor, project: Project): Promise<void> {
  const roles: Array<{ username: string; role: string }> = await manager.query(
    `SELECT u.username, r.name AS role FROM projectroles_roleassignment ra
     JOIN projectroles_user u ON u.id = ra.user_id JOIN projectroles_role r ON r.id = ra.role_id WHERE ra.project_id = $1`,
    [project.id],
  );
  await record(registry, manager, actor, {
    project: null,
    eventName: 'project_delete',
    description: `delete ${typeName(project)} {project}`,
    objects: [{ label: 'project', ref: { model: 'Project', uuid: project.sodar_uuid }, name: project.full_title }],
    extraData: { title: project.title, full_title: project.full_title, type: project.type, description: project.description, local_roles: Object.fromEntries(roles.map((r) => [r.username, r.role])) },
    classified: true,
  });
}

const ROLE_EVENTS = {
  create: (role: RoleName) => `create role "${role}" for {user}`,
  update: (role: RoleName) => `update role to "${role}" for {user}`,
  delete: (role: RoleName) => `delete role "${role}" from {user}`,
};

/** role_create, role_update or role_delete for the user with id `userId`. */
export async function roleChanged(registry: PluginRegistry, manager: EntityManager, actor: Actor, project: Project, userId: number, role: RoleName, change: keyof typeof ROLE_EVENTS): Promise<void> {
  const user = await personById(manager, userId);
  await record(registry, manager, actor, {
    project,
    eventName: `role_${change}`,
    description: ROLE_EVENTS[change](role),
    objects: [person('user', user)],
    extraData: { user: user.username, role },
  });
}

export async function ownerTransferred(registry: PluginRegistry, manager: EntityManager, actor: Actor, project: Project, previousOwnerId: number, newOwner: Person): Promise<void> {
  const previous = await personById(manager, previousOwnerId);
  await record(registry, manager, actor, {
    project,
    eventName: 'role_owner_transfer',
    description: 'transfer ownership from {prev_owner} to {new_owner}',
    objects: [person('prev_owner', previous), person('new_owner', newOwner)],
    extraData: { prev_owner: previous.username, new_owner: newOwner.username },
  });
}

/**
 * app_setting_set (classified, as SODAR's app_setting_set_api): a PROJECT or PROJECT_USER
 * setting changed through a form or the API. A secret's value is not recorded.
 */
export function settingChanged(
  registry: PluginRegistry,
  manager: EntityManager,
  actor: Actor,
  setting: { plugin: string; name: string; secret: boolean; value: unknown; project: Pick<Project, 'id' | 'sodar_uuid'>; user: Person | null },
): Promise<void> {
  return record(registry, manager, actor, {
    project: setting.project,
    eventName: 'app_setting_set',
    description: `set value of ${setting.plugin}.settings.${setting.name}${setting.user ? ' for user {user}' : ''}`,
    objects: setting.user ? [person('user', setting.user)] : [],
    extraData: setting.secret ? { secret: true } : { value: setting.value },
    classified: true,
  });
}
