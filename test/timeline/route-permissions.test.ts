/**
 * Every timeline page, Ajax and REST route × every actor of SODAR's fixture gets the status
 * of §6.3 and §0 (pages 200 or a redirect, Ajax 200 or 403, REST 200/201, 403, 401 for
 * anonymous, 404 for unknown UUIDs; anonymous callers reach public projects' events and
 * REST lists when ALLOW_ANONYMOUS is on), and each actor sees only what §3.4 lets them see:
 * classified events and extra data for owners and delegates, classified site events for
 * superusers. Private, public as guest (with anonymous access allowed), and archived.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { v4 as uuidv4 } from 'uuid';
import type { User } from '../../projectroles/entities';
import { userRef } from '../../timeline/api';
import { ALL_ACTORS, actorAgents, buildFixture, expectedOnC, expectedOnP, type Actor, type Agent, type Fixture } from '../helpers/permission-fixture';
import { startTestSite, type TestSite } from '../helpers/site';

const TIMELINE_ACCEPT = 'application/vnd.bihealth.sodar-core.timeline+json; version=2.0';

type Who = (actor: Actor) => boolean;

/** The events of one scope (P, C or site-wide): one plain and one classified, each with extra data everywhere. */
interface ScopeEvents {
  normal: string;
  classified: string;
  /** The OK status of each, the one carrying extra data. */
  normalStatus: string;
  classifiedStatus: string;
}

interface Events {
  P: ScopeEvents;
  C: ScopeEvents;
  site: ScopeEvents;
}

interface Route {
  name: string;
  kind: 'page' | 'ajax' | 'rest';
  method: 'get' | 'post';
  path: string;
  allowed: Who;
  /** The path names something that does not exist: 404 once past authentication. */
  unknown?: boolean;
  /** An event stream: read the status, then hang up. */
  stream?: boolean;
  /**
   * Decided by the project's (or event's) rules also for anonymous callers when
   * ALLOW_ANONYMOUS is on (SODAR's anonymous access to public projects); else anonymous
   * callers are turned away before anything is looked up.
   */
  anonymousToo?: boolean;
}

interface Variant {
  name: string;
  publicGuest: boolean;
  allowAnonymous: boolean;
  archived: boolean;
}

/** Records the two events of a scope, both about `subject` (so object histories list them). */
async function recordEvents(site: TestSite, project: { id: number; sodar_uuid: string } | null, user: User, subject: User): Promise<ScopeEvents> {
  const api = site.registry.getBackendApi('timeline')!;
  const record = async (classified: boolean) => {
    const { event } = await api.addEvent({
      project,
      app: 'timeline',
      user,
      eventName: classified ? 'classified_event' : 'normal_event',
      description: `${classified ? 'classified' : 'normal'} event about {subject}`,
      classified,
      extraData: { secret: 'event extra' },
      statusType: 'OK',
      statusExtraData: { secret: 'status extra' },
      objects: [{ label: 'subject', ref: userRef(subject), name: subject.username, extraData: { secret: 'object extra' } }],
    });
    const [status]: Array<{ sodar_uuid: string }> = await site.db.dataSource.query("SELECT sodar_uuid FROM timeline_eventstatus WHERE event_id = $1 AND status_type = 'OK'", [event.id]);
    return { event: event.sodar_uuid, status: status!.sodar_uuid };
  };
  const normal = await record(false);
  const classified = await record(true);
  return { normal: normal.event, classified: classified.event, normalStatus: normal.status, classifiedStatus: classified.status };
}

const passes =
  (actors: Actor[]): Who =>
  (actor) =>
    actor === 'su' || actors.includes(actor);
const authenticated: Who = (actor) => actor !== 'A';
const superuserOnly: Who = (actor) => actor === 'su';

/** Who passes what, from the fixture's §6.3 expectations and the site-wide rules of §6.2. */
function permissionsOf(variant: Variant) {
  const onP = expectedOnP(variant.publicGuest, variant.allowAnonymous, variant.archived);
  const onC = expectedOnC(variant.publicGuest, variant.allowAnonymous);
  return {
    P: { view: passes(onP['timeline.view_timeline']!), classified: passes(onP['timeline.view_classified_event']!), extra: passes(onP['timeline.view_event_extra_data']!) },
    C: { view: passes(onC['timeline.view_timeline']!), classified: passes(onC['timeline.view_classified_event']!), extra: passes(onC['timeline.view_event_extra_data']!) },
    site: { view: authenticated, classified: superuserOnly, extra: superuserOnly },
    createOnP: passes(onP['timeline.create_event']!),
    admin: superuserOnly,
  };
}

const both =
  (a: Who, b: Who): Who =>
  (actor) =>
    a(actor) && b(actor);

function routesOf(variant: Variant, f: Fixture, events: Events, users: Map<Actor, User | null>): Route[] {
  const can = permissionsOf(variant);
  const p = f.project.sodar_uuid;
  const c = f.category.sodar_uuid;
  const owner = users.get('O')!.sodar_uuid;
  const categoryOwner = users.get('OC')!.sodar_uuid;
  const superuser = users.get('su')!.sodar_uuid;
  const projectScopes = [
    { label: 'P', uuid: p, can: can.P, ev: events.P, subject: owner },
    { label: 'C', uuid: c, can: can.C, ev: events.C, subject: categoryOwner },
  ];
  return [
    // Pages.
    ...projectScopes.flatMap((s): Route[] => [
      { name: `list ${s.label}`, kind: 'page', method: 'get', path: `/timeline/${s.uuid}`, allowed: s.can.view },
      { name: `object history in ${s.label}`, kind: 'page', method: 'get', path: `/timeline/${s.uuid}/User/${s.subject}`, allowed: s.can.view },
    ]),
    { name: 'site list', kind: 'page', method: 'get', path: '/timeline/site', allowed: can.site.view },
    { name: 'site object history', kind: 'page', method: 'get', path: `/timeline/site/User/${superuser}`, allowed: can.site.view },
    { name: 'all events', kind: 'page', method: 'get', path: '/timeline/site/all', allowed: can.admin },
    { name: 'list of an unknown project', kind: 'page', method: 'get', path: `/timeline/${uuidv4()}`, allowed: () => true, unknown: true },
    // Ajax on project events: the event's project decides.
    ...projectScopes.flatMap((s): Route[] => [
      { name: `detail ${s.label}`, anonymousToo: true, kind: 'ajax', method: 'get', path: `/timeline/ajax/detail/${s.ev.normal}`, allowed: s.can.view },
      { name: `detail classified ${s.label}`, anonymousToo: true, kind: 'ajax', method: 'get', path: `/timeline/ajax/detail/${s.ev.classified}`, allowed: both(s.can.view, s.can.classified) },
      { name: `extra ${s.label}`, anonymousToo: true, kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/${s.ev.normal}`, allowed: both(s.can.view, s.can.extra) },
      { name: `extra classified ${s.label}`, anonymousToo: true, kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/${s.ev.classified}`, allowed: both(s.can.view, both(s.can.classified, s.can.extra)) },
      { name: `status extra ${s.label}`, anonymousToo: true, kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/status/${s.ev.normalStatus}`, allowed: both(s.can.view, s.can.extra) },
      { name: `status extra classified ${s.label}`, anonymousToo: true, kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/status/${s.ev.classifiedStatus}`, allowed: both(s.can.view, both(s.can.classified, s.can.extra)) },
      { name: `row ${s.label}`, kind: 'ajax', method: 'get', path: `/timeline/ajax/row/${s.uuid}/${s.ev.normal}`, allowed: s.can.view },
      { name: `row classified ${s.label}`, kind: 'ajax', method: 'get', path: `/timeline/ajax/row/${s.uuid}/${s.ev.classified}`, allowed: both(s.can.view, s.can.classified) },
      { name: `card ${s.label}`, kind: 'ajax', method: 'get', path: `/timeline/ajax/card/${s.uuid}`, allowed: s.can.view },
      { name: `live ${s.label}`, kind: 'ajax', method: 'get', path: `/timeline/ajax/live/${s.uuid}`, allowed: s.can.view, stream: true },
    ]),
    // Ajax on site events: logged in; classified and extra data for superusers.
    { name: 'detail site', kind: 'ajax', method: 'get', path: `/timeline/ajax/detail/site/${events.site.normal}`, allowed: can.site.view },
    { name: 'detail classified site', kind: 'ajax', method: 'get', path: `/timeline/ajax/detail/site/${events.site.classified}`, allowed: can.site.classified },
    { name: 'extra site', kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/site/${events.site.normal}`, allowed: can.site.extra },
    { name: 'extra classified site', kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/site/${events.site.classified}`, allowed: can.site.extra },
    { name: 'status extra site', kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/status/${events.site.normalStatus}`, allowed: can.site.extra },
    { name: 'status extra classified site', kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/status/${events.site.classifiedStatus}`, allowed: can.site.extra },
    { name: 'detail of an unknown event', anonymousToo: true, kind: 'ajax', method: 'get', path: `/timeline/ajax/detail/${uuidv4()}`, allowed: authenticated, unknown: true },
    { name: 'status extra of an unknown status', anonymousToo: true, kind: 'ajax', method: 'get', path: `/timeline/ajax/extra/status/${uuidv4()}`, allowed: authenticated, unknown: true },
    // REST.
    ...projectScopes.flatMap((s): Route[] => [
      { name: `REST list ${s.label}`, anonymousToo: true, kind: 'rest', method: 'get', path: `/timeline/api/list/${s.uuid}`, allowed: s.can.view },
      { name: `REST list ${s.label} paginated`, anonymousToo: true, kind: 'rest', method: 'get', path: `/timeline/api/list/${s.uuid}?page=1`, allowed: s.can.view },
      { name: `REST retrieve ${s.label}`, kind: 'rest', method: 'get', path: `/timeline/api/retrieve/${s.ev.normal}`, allowed: s.can.view },
      { name: `REST retrieve classified ${s.label}`, kind: 'rest', method: 'get', path: `/timeline/api/retrieve/${s.ev.classified}`, allowed: both(s.can.view, s.can.classified) },
    ]),
    { name: 'REST list site', kind: 'rest', method: 'get', path: '/timeline/api/list/site', allowed: can.site.view },
    { name: 'REST retrieve site', kind: 'rest', method: 'get', path: `/timeline/api/retrieve/${events.site.normal}`, allowed: can.site.view },
    { name: 'REST retrieve classified site', kind: 'rest', method: 'get', path: `/timeline/api/retrieve/${events.site.classified}`, allowed: can.site.classified },
    { name: 'REST retrieve of an unknown event', kind: 'rest', method: 'get', path: `/timeline/api/retrieve/${uuidv4()}`, allowed: authenticated, unknown: true },
    { name: 'REST list of an unknown project', anonymousToo: true, kind: 'rest', method: 'get', path: `/timeline/api/list/${uuidv4()}`, allowed: authenticated, unknown: true },
    // Last: it adds events to P.
    { name: 'REST create in P', anonymousToo: true, kind: 'rest', method: 'post', path: `/timeline/api/create/${p}`, allowed: can.createOnP },
  ];
}

/** `status` or `status location`, as the response gives it. */
function expectedStatus(route: Route, actor: Actor, allowAnonymous: boolean): string {
  const allowed = route.allowed(actor);
  const turnedAway = actor === 'A' && !(route.anonymousToo && allowAnonymous);
  if (route.kind === 'rest') {
    if (turnedAway) return '401';
    if (route.unknown) return '404';
    if (!allowed) return actor === 'A' ? '401' : '403';
    return route.method === 'post' ? '201' : '200';
  }
  if (route.kind === 'ajax') {
    if (route.unknown) return turnedAway ? '403' : '404';
    return allowed ? '200' : '403';
  }
  if (route.unknown) return actor !== 'A' || allowAnonymous ? '404' : `302 /login?next=${encodeURIComponent(route.path)}`;
  if (allowed) return '200';
  return actor === 'A' ? `302 /login?next=${encodeURIComponent(route.path)}` : '302 /';
}

/** Reads an event stream's status and its first chunk, then hangs up (the stream never ends). */
function firstChunkOnly(response: unknown, done: (error: Error | null, body: unknown) => void): void {
  // superagent hands a custom parser the raw response stream (an IncomingMessage).
  const res = response as NodeJS.ReadableStream & { destroy(): void };
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done(null, null);
  };
  res.once('data', () => {
    finish();
    res.destroy();
  });
  res.once('end', finish);
  res.once('error', finish);
}

function request(agent: Agent, route: Route, token: string) {
  if (route.method === 'post') {
    return agent.post(route.path).set('Accept', TIMELINE_ACCEPT).set('X-CSRFToken', token).send({ event_name: 'scripted_event', description: 'recorded by a script' });
  }
  const get = agent.get(route.path);
  if (route.kind === 'rest') return get.set('Accept', TIMELINE_ACCEPT);
  if (route.stream) return get.buffer(false).parse(firstChunkOnly);
  return get;
}

/** Whether any object in `value` has an `extra_data` key (events, statuses, object references). */
function hasExtraData(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasExtraData);
  if (value === null || typeof value !== 'object') return false;
  return Object.hasOwn(value, 'extra_data') || Object.values(value).some(hasExtraData);
}

const uuidsOf = (list: unknown): string[] => (list as Array<{ sodar_uuid: string }>).map((e) => e.sodar_uuid);
const rowShown = (html: string, event: string) => html.includes(`data-event="${event}"`);

for (const variant of [
  { name: 'private', publicGuest: false, allowAnonymous: false, archived: false },
  { name: 'public as guest, anonymous allowed', publicGuest: true, allowAnonymous: true, archived: false },
  { name: 'archived', publicGuest: false, allowAnonymous: false, archived: true },
] satisfies Variant[]) {
  describe(`timeline route permissions: ${variant.name}`, () => {
    let site: TestSite;
    let fixture: Fixture;
    let events: Events;
    let agents: Map<Actor, Agent>;
    let tokens: Map<Actor, string>;
    const can = permissionsOf(variant);

    before(async () => {
      site = await startTestSite({ env: { ALLOW_ANONYMOUS: String(variant.allowAnonymous) } });
      fixture = await buildFixture(site, variant);
      const su = fixture.users.get('su')!;
      events = {
        P: await recordEvents(site, fixture.project, fixture.users.get('O')!, fixture.users.get('O')!),
        C: await recordEvents(site, fixture.category, fixture.users.get('OC')!, fixture.users.get('OC')!),
        site: await recordEvents(site, null, su, su),
      };
      ({ agents, tokens } = await actorAgents(site, fixture.users));
    });
    after(async () => {
      await site.close();
      await site.location.remove();
    });

    it('shows classified events and extra data only to those §3.4 lets see them', async () => {
      const mismatches: string[] = [];
      const expect = (actor: Actor, what: string, got: boolean, want: boolean) => {
        if (got !== want) mismatches.push(`${what} as ${actor}: got ${got}, expected ${want}`);
      };
      const fetch = async (actor: Actor, path: string, rest = false) => {
        const res = await (rest ? agents.get(actor)!.get(path).set('Accept', TIMELINE_ACCEPT) : agents.get(actor)!.get(path));
        if (res.status !== 200) mismatches.push(`GET ${path} as ${actor}: got ${res.status}, expected 200 to check what it shows`);
        return res.status === 200 ? res : null;
      };
      const p = fixture.project.sodar_uuid;
      const c = fixture.category.sodar_uuid;
      for (const actor of ALL_ACTORS) {
        const loggedIn = actor !== 'A';
        for (const [label, path, scope, ev] of [
          ['list P', `/timeline/${p}`, can.P, events.P],
          ['object history in P', `/timeline/${p}/User/${fixture.users.get('O')!.sodar_uuid}`, can.P, events.P],
          ['list C', `/timeline/${c}`, can.C, events.C],
          ['site list', '/timeline/site', can.site, events.site],
          ['site object history', `/timeline/site/User/${fixture.users.get('su')!.sodar_uuid}`, can.site, events.site],
        ] as const) {
          if (!scope.view(actor)) continue;
          const page = await fetch(actor, path);
          if (!page) continue;
          expect(actor, `${label} shows the event`, rowShown(page.text, ev.normal), true);
          expect(actor, `${label} shows the classified event`, rowShown(page.text, ev.classified), scope.classified(actor));
        }
        if (can.admin(actor)) {
          const all = await fetch(actor, '/timeline/site/all');
          for (const [scope, ev] of Object.entries(events)) {
            expect(actor, `all events show ${scope}'s event and classified event`, rowShown(all?.text ?? '', ev.normal) && rowShown(all?.text ?? '', ev.classified), true);
          }
        }
        const siteList = loggedIn ? await fetch(actor, '/timeline/site') : null;
        if (siteList) expect(actor, 'site list shows no project events', rowShown(siteList.text, events.P.normal) || rowShown(siteList.text, events.C.normal), false);
        if (can.P.view(actor)) {
          const card = await fetch(actor, `/timeline/ajax/card/${p}`);
          if (card) {
            const shown = (card.body as { events: Array<{ event: string }> }).events.map((e) => e.event);
            expect(actor, 'card P shows the event', shown.includes(events.P.normal), true);
            expect(actor, 'card P shows the classified event', shown.includes(events.P.classified), can.P.classified(actor));
          }
        }
        for (const [label, path, scope] of [
          ['detail P', `/timeline/ajax/detail/${events.P.normal}`, can.P],
          ['detail C', `/timeline/ajax/detail/${events.C.normal}`, can.C],
          ['detail site', `/timeline/ajax/detail/site/${events.site.normal}`, can.site],
        ] as const) {
          // Anonymous callers' access to details is the route table's business; they never see extra data.
          if (!scope.view(actor) || !loggedIn) continue;
          const detail = await fetch(actor, path);
          if (!detail) continue;
          const links = ((detail.body as { status: Array<{ type: string; extra_status_link: string | null }> }).status ?? []).map((s) => `${s.type}:${s.extra_status_link ? 'link' : '-'}`);
          const want = scope.extra(actor) ? ['OK:link', 'INIT:-'] : ['OK:-', 'INIT:-'];
          if (links.join() !== want.join()) mismatches.push(`${label} statuses as ${actor}: got ${links.join()}, expected ${want.join()}`);
        }
        if (!loggedIn) continue; // REST answers anonymous 401 (route table)
        for (const [label, list, scope, ev] of [
          ['REST list P', `/timeline/api/list/${p}`, can.P, events.P],
          ['REST list C', `/timeline/api/list/${c}`, can.C, events.C],
          ['REST list site', '/timeline/api/list/site', can.site, events.site],
        ] as const) {
          if (!scope.view(actor)) continue;
          const res = await fetch(actor, list, true);
          if (!res) continue;
          const shown = uuidsOf(res.body);
          expect(actor, `${label} has the event`, shown.includes(ev.normal), true);
          expect(actor, `${label} has the classified event`, shown.includes(ev.classified), scope.classified(actor));
          expect(actor, `${label} has extra_data keys`, hasExtraData(res.body), scope.extra(actor));
          const paged = await fetch(actor, `${list}?page=1`, true);
          if (paged) expect(actor, `${label} ?page=1 has the same events`, uuidsOf((paged.body as { results: unknown }).results).join() === shown.join(), true);
          const one = await fetch(actor, `/timeline/api/retrieve/${ev.normal}`, true);
          if (one) expect(actor, `${label}: retrieve has extra_data keys`, hasExtraData(one.body), scope.extra(actor));
        }
      }
      assert.deepEqual(mismatches, []);
    });

    it('answers every route for every actor as §6.3 and §0 say', async () => {
      const mismatches: string[] = [];
      for (const route of routesOf(variant, fixture, events, fixture.users)) {
        for (const actor of ALL_ACTORS) {
          const res = await request(agents.get(actor)!, route, tokens.get(actor)!);
          const got = `${res.status}${res.headers.location ? ` ${res.headers.location}` : ''}`;
          const want = expectedStatus(route, actor, variant.allowAnonymous);
          if (got !== want) mismatches.push(`${route.name} as ${actor}: got ${got}, expected ${want}`);
        }
      }
      assert.deepEqual(mismatches, []);
    });
  });
}
