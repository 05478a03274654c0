/**
 * SODAR's permission test fixture (reference §6): category C with a local role for each
 * of the six roles, project P below it with five local roles, a user without roles, a
 * superuser and anonymous; and the expected answers of §6.3.
 */
import type { Project, RoleName, User } from '../../projectroles/entities';
import { assignRole, createProject, projectsByUuid, type ProjectRow } from '../../projectroles/projects';
import supertest from 'supertest';
import { csrfTokenOf, logIn, TEST_PASSWORD, type TestSite } from './site';

export const CATEGORY_ACTORS = { OC: 'owner_cat', DC: 'delegate_cat', CC: 'contributor_cat', GC: 'guest_cat', VC: 'viewer_cat', FC: 'finder_cat' } as const;
export const PROJECT_ACTORS = { O: 'owner', D: 'delegate', Co: 'contributor', G: 'guest', V: 'viewer' } as const;
export type Actor = keyof typeof CATEGORY_ACTORS | keyof typeof PROJECT_ACTORS | 'N' | 'A' | 'su';
export const ALL_ACTORS: Actor[] = ['su', 'OC', 'DC', 'CC', 'GC', 'VC', 'FC', 'O', 'D', 'Co', 'G', 'V', 'N', 'A'];

const ROLE_OF: Record<string, RoleName> = {
  OC: 'project owner', DC: 'project delegate', CC: 'project contributor', GC: 'project guest', VC: 'project viewer', FC: 'project finder',
  O: 'project owner', D: 'project delegate', Co: 'project contributor', G: 'project guest', V: 'project viewer',
};

export interface Fixture {
  users: Map<Actor, User | null>;
  category: ProjectRow;
  project: ProjectRow;
}

export async function buildFixture(site: TestSite, options: { publicGuest: boolean; archived?: boolean }): Promise<Fixture> {
  const ds = site.db.dataSource;
  const users = new Map<Actor, User | null>();
  for (const [actor, username] of [...Object.entries(CATEGORY_ACTORS), ...Object.entries(PROJECT_ACTORS), ['N', 'no_roles'], ['su', 'superuser']]) {
    users.set(actor as Actor, await site.createUser({ username: username!, isSuperuser: actor === 'su' }));
  }
  users.set('A', null);
  const c: Project = await createProject(ds, { title: 'TestCategory', type: 'CATEGORY', parent: null, owner: users.get('OC')! });
  const p: Project = await createProject(ds, { title: 'TestProject', type: 'PROJECT', parent: c, owner: users.get('O')!, publicAccess: options.publicGuest ? 'project guest' : null });
  for (const actor of ['DC', 'CC', 'GC', 'VC', 'FC'] as const) await assignRole(ds, c, users.get(actor)!, ROLE_OF[actor]!);
  for (const actor of ['D', 'Co', 'G', 'V'] as const) await assignRole(ds, p, users.get(actor)!, ROLE_OF[actor]!);
  if (options.archived) await ds.query('UPDATE projectroles_project SET archive = true WHERE id = $1', [p.id]);
  const rows = await projectsByUuid(ds, [c.sodar_uuid, p.sodar_uuid]);
  return { users, category: rows.find((r) => r.id === c.id)!, project: rows.find((r) => r.id === p.id)! };
}

export type Agent = ReturnType<typeof supertest.agent>;

/** A logged-in agent (anonymous: a plain one) and its CSRF token ('' for anonymous) per actor. */
export async function actorAgents(site: TestSite, users: Fixture['users']): Promise<{ agents: Map<Actor, Agent>; tokens: Map<Actor, string> }> {
  const agents = new Map<Actor, Agent>();
  const tokens = new Map<Actor, string>();
  for (const actor of ALL_ACTORS) {
    const user = users.get(actor);
    const agent = user ? await logIn(site.app, user.username, TEST_PASSWORD) : supertest.agent(site.app);
    agents.set(actor, agent);
    tokens.set(actor, user ? await csrfTokenOf(agent) : '');
  }
  return { agents, tokens };
}

/** Who passes each permission on P (§6.3; su always passes). */
export function expectedOnP(publicGuest: boolean, allowAnonymous: boolean, archived = false): Record<string, Actor[]> {
  // Public access is a role for every authenticated user: N, and FC (who has none in P), too.
  const viewers: Actor[] = ['OC', 'DC', 'CC', 'GC', 'VC', 'O', 'D', 'Co', 'G', 'V', ...(publicGuest ? (['N', 'FC'] as Actor[]) : [])];
  const anonymousToo: Actor[] = publicGuest && allowAnonymous ? ['A'] : [];
  const ownersAndDelegates: Actor[] = ['OC', 'DC', 'O', 'D'];
  return {
    'projectroles.view_project': [...viewers, ...anonymousToo],
    'projectroles.view_project_roles': [...viewers, ...anonymousToo],
    'projectroles.update_project': ownersAndDelegates,
    'projectroles.delete_project': ownersAndDelegates,
    // The rule passes; the create view itself then refuses nesting inside a project.
    'projectroles.create_project': ['OC', 'DC', 'CC', 'O', 'D', 'Co'],
    'projectroles.update_project_members': ownersAndDelegates,
    'projectroles.invite_users': ownersAndDelegates,
    'projectroles.view_project_settings': ownersAndDelegates,
    'projectroles.update_project_settings': ownersAndDelegates,
    'projectroles.update_project_owner': ['OC', 'O'],
    'projectroles.update_project_delegate': ['OC', 'O'],
    'projectroles.star_project': viewers,
    // Guests and up. Public guest access makes every user a guest (§6.1 is_project_guest), so
    // then viewers, FC and N pass too; public viewer access would not count.
    'timeline.view_timeline': ['OC', 'DC', 'CC', 'GC', 'O', 'D', 'Co', 'G', ...(publicGuest ? (['VC', 'V', 'N', 'FC'] as Actor[]) : []), ...anonymousToo],
    'timeline.view_classified_event': ownersAndDelegates,
    'timeline.view_event_extra_data': ownersAndDelegates,
    // Ours, beyond SODAR: recording events through REST changes project data, so not when archived.
    'timeline.create_event': archived ? [] : ['OC', 'DC', 'CC', 'O', 'D', 'Co'],
  };
}

/** Who passes each permission on C (§6.3; su always passes). */
export function expectedOnC(publicChild: boolean, allowAnonymous: boolean): Record<string, Actor[]> {
  const categoryMembers: Actor[] = ['OC', 'DC', 'CC', 'GC', 'VC', 'FC'];
  const childMembers: Actor[] = ['O', 'D', 'Co', 'G', 'V'];
  const viewers = [...categoryMembers, ...childMembers, ...(publicChild ? (['N'] as Actor[]) : [])];
  return {
    'projectroles.view_project': [...viewers, ...(publicChild && allowAnonymous ? (['A'] as Actor[]) : [])],
    'projectroles.view_project_roles': categoryMembers,
    'projectroles.create_project': ['OC', 'DC', 'CC'],
    'projectroles.update_project': ['OC', 'DC'],
    'projectroles.delete_project': ['OC', 'DC'],
    'projectroles.update_project_members': ['OC', 'DC'],
    'projectroles.invite_users': ['OC', 'DC'],
    'projectroles.update_project_owner': ['OC'],
    'projectroles.update_project_delegate': ['OC'],
    'projectroles.star_project': viewers,
    // Roles in the category only: a role in a child project gives none in C, nor does public access below.
    'timeline.view_timeline': ['OC', 'DC', 'CC', 'GC'],
    'timeline.view_classified_event': ['OC', 'DC'],
    'timeline.view_event_extra_data': ['OC', 'DC'],
  };
}
