/**
 * The route table the safety-switch tests share (read-only mode, access block, IP allow
 * list): projectroles pages and Ajax, a plugin's project pages, Ajax and REST (timeline),
 * on P and C of the permission fixture, each with the rule §6.3 names for it and whether
 * it writes (read-only mode denies it to non-superusers). A test states who passes each row
 * under its switch; `expectedStatus` turns that into the status of §0.
 */
import { after, before } from 'node:test';
import { actorAgents, buildFixture, type Actor, type Agent, type Fixture } from './permission-fixture';
import { startTestSite, type TestSite } from './site';

export const TIMELINE_ACCEPT = 'application/vnd.bihealth.sodar-core.timeline+json; version=2.0';

export interface SwitchRoute {
  name: string;
  kind: 'page' | 'ajax' | 'rest';
  method: 'get' | 'post';
  target: 'P' | 'C';
  /** The rule of the fixture's expectations (expectedOnP/expectedOnC) that decides the row. */
  permission: string;
  /** Changes data: site read-only mode denies it to everyone but superusers. */
  write: boolean;
  path: string;
  /** Where an allowed page request is redirected instead of 200. */
  allowedRedirect?: string;
  /** Who passes instead of the rule's actors and superusers (leaving a project: only the member). */
  only?: Actor[];
}

type Target = 'P' | 'C';

function page(name: string, target: Target, permission: string, path: string, write: boolean, extra: Partial<SwitchRoute> = {}): SwitchRoute {
  return { name: `${name} ${target}`, kind: 'page', method: 'get', target, permission, path, write, ...extra };
}

/** The UUIDs of the role assignments of G and V in P (the member pages address assignments). */
async function assignmentsInP(site: TestSite, f: Fixture): Promise<{ guest: string; viewer: string }> {
  const rows: Array<{ sodar_uuid: string; username: string }> = await site.db.dataSource.query(
    `SELECT ra.sodar_uuid, u.username FROM projectroles_roleassignment ra JOIN projectroles_user u ON u.id = ra.user_id WHERE ra.project_id = $1`,
    [f.project.id],
  );
  const of = (username: string) => rows.find((r) => r.username === username)?.sodar_uuid ?? 'missing';
  return { guest: of('guest'), viewer: of('viewer') };
}

export async function switchRoutes(site: TestSite, f: Fixture): Promise<SwitchRoute[]> {
  const uuid = (t: Target) => (t === 'P' ? f.project : f.category).sodar_uuid;
  const ra = await assignmentsInP(site, f);
  const p = f.project.sodar_uuid;
  return [
    ...(['P', 'C'] as const).flatMap((t): SwitchRoute[] => [
      page('detail', t, 'projectroles.view_project', `/project/${uuid(t)}`, false),
      page('members', t, 'projectroles.view_project_roles', `/project/members/${uuid(t)}`, false),
      page('update', t, 'projectroles.update_project', `/project/update/${uuid(t)}`, true),
      page('delete', t, 'projectroles.delete_project', `/project/delete/${uuid(t)}`, true, t === 'C' ? { allowedRedirect: '/' } : {}),
      page('add member', t, 'projectroles.update_project_members', `/project/members/create/${uuid(t)}`, true),
      page('owner transfer', t, 'projectroles.update_project_owner', `/project/members/owner/transfer/${uuid(t)}`, true),
      { name: `star ${t}`, kind: 'ajax', method: 'post', target: t, permission: 'projectroles.star_project', write: true, path: `/project/ajax/star/${uuid(t)}` },
      { name: `sidebar ${t}`, kind: 'ajax', method: 'get', target: t, permission: 'projectroles.view_project', write: false, path: `/project/ajax/sidebar/${uuid(t)}` },
      page('timeline', t, 'timeline.view_timeline', `/timeline/${uuid(t)}`, false),
      { name: `timeline card ${t}`, kind: 'ajax', method: 'get', target: t, permission: 'timeline.view_timeline', write: false, path: `/timeline/ajax/card/${uuid(t)}` },
      { name: `timeline REST list ${t}`, kind: 'rest', method: 'get', target: t, permission: 'timeline.view_timeline', write: false, path: `/timeline/api/list/${uuid(t)}` },
    ]),
    page('archive', 'P', 'projectroles.update_project', `/project/archive/${p}`, true),
    page('create in', 'C', 'projectroles.create_project', `/project/create/${uuid('C')}`, true),
    page('create in', 'P', 'projectroles.create_project', `/project/create/${p}`, true, { allowedRedirect: `/project/${p}` }),
    { name: 'list children of C', kind: 'ajax', method: 'get', target: 'C', permission: 'projectroles.view_project', write: false, path: `/project/ajax/list?parent=${uuid('C')}` },
    { name: 'category stats C', kind: 'ajax', method: 'get', target: 'C', permission: 'projectroles.view_project', write: false, path: `/project/ajax/stats/category/${uuid('C')}` },
    page('update member V', 'P', 'projectroles.update_project_members', `/project/members/update/${ra.viewer}`, true),
    page('remove member V', 'P', 'projectroles.update_project_members', `/project/members/delete/${ra.viewer}`, true),
    // Only the member may leave, a superuser neither (not their role).
    page('leave P as G', 'P', 'projectroles.view_project', `/project/members/delete/own/${ra.guest}`, true, { only: ['G'] }),
    { name: 'timeline REST create in P', kind: 'rest', method: 'post', target: 'P', permission: 'timeline.create_event', write: true, path: `/timeline/api/create/${p}` },
  ];
}

/** `status` or `status location`, as SODAR answers an allowed or denied request of `actor`. */
export function expectedStatus(route: SwitchRoute, actor: Actor, allowed: boolean): string {
  if (route.kind === 'rest') {
    if (actor === 'A') return '401';
    if (!allowed) return '403';
    return route.method === 'post' ? '201' : '200';
  }
  if (route.kind === 'ajax') return allowed ? '200' : '403';
  if (allowed) return route.allowedRedirect ? `302 ${route.allowedRedirect}` : '200';
  return actor === 'A' ? `302 /login?next=${encodeURIComponent(route.path)}` : '302 /';
}

/** Sends the row's request as `actor` (with `headers`, e.g. a spoofed X-Forwarded-For). */
export function send(agent: Agent, route: SwitchRoute, token: string, headers: Record<string, string> = {}) {
  const request = route.method === 'get' ? agent.get(route.path) : agent.post(route.path).set('X-CSRFToken', token);
  if (route.kind === 'rest') request.set('Accept', TIMELINE_ACCEPT);
  if (route.kind === 'rest' && route.method === 'post') request.send({ event_name: 'scripted_event', description: 'recorded by a script' });
  return request.set(headers);
}

/** `status` or `status location` of a response. */
export const statusOf = (res: { status: number; headers: Record<string, string> }) => `${res.status}${res.headers.location ? ` ${res.headers.location}` : ''}`;

/** Who passes a row with no switch on: the rule's actors (expectedOnP/C) and superusers, or the row's own list. */
export function passesNormally(route: SwitchRoute, actor: Actor, onP: Record<string, Actor[]>, onC: Record<string, Actor[]>): boolean {
  if (route.only) return route.only.includes(actor);
  const actors = (route.target === 'P' ? onP : onC)[route.permission];
  if (!actors) throw new Error(`The fixture knows no ${route.permission} on ${route.target}`);
  return actor === 'su' || actors.includes(actor);
}

/** Every row × actor; the rows whose answer differs from `passes`, as readable lines. */
export async function tableMismatches(
  routes: SwitchRoute[],
  actors: Actor[],
  clients: { agents: Map<Actor, Agent>; tokens: Map<Actor, string> },
  passes: (route: SwitchRoute, actor: Actor) => boolean,
  headers: Record<string, string> = {},
): Promise<string[]> {
  const mismatches: string[] = [];
  for (const route of routes) {
    for (const actor of actors) {
      const agent = clients.agents.get(actor);
      if (!agent) throw new Error(`No agent for ${actor}`);
      const got = statusOf(await send(agent, route, clients.tokens.get(actor) ?? '', headers));
      const want = expectedStatus(route, actor, passes(route, actor));
      if (got !== want) mismatches.push(`${route.name} as ${actor}: got ${got}, expected ${want}`);
    }
  }
  return mismatches;
}

export interface SwitchTable {
  site: TestSite;
  fixture: Fixture;
  routes: SwitchRoute[];
  clients: { agents: Map<Actor, Agent>; tokens: Map<Actor, string> };
}

/** Registers the suite's before/after: a site (with `env`), the fixture, the route table and every actor logged in. */
export function switchTableSuite(options: { env?: Record<string, string>; publicGuest: boolean }): SwitchTable {
  const table = {} as SwitchTable; // filled in before(), before any test reads it
  before(async () => {
    table.site = await startTestSite({ env: options.env ?? {} });
    table.fixture = await buildFixture(table.site, { publicGuest: options.publicGuest });
    table.routes = await switchRoutes(table.site, table.fixture);
    table.clients = await actorAgents(table.site, table.fixture.users);
  });
  after(async () => {
    await table.site.close();
    await table.site.location.remove();
  });
  return table;
}
