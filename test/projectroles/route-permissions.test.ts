/**
 * Every projectroles route × every actor of SODAR's fixture gets the status of §6.3 and §0:
 * pages answer 200 when allowed, else redirect (anonymous to login, others home); Ajax
 * answers 200 or 403. Private, public (with anonymous access allowed), and archived.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ACTORS, actorAgents, buildFixture, expectedOnC, expectedOnP, type Actor, type Agent, type Fixture } from '../helpers/permission-fixture';
import { startTestSite, type TestSite } from '../helpers/site';

interface Route {
  name: string;
  method: 'get' | 'post';
  kind: 'page' | 'ajax';
  target: 'P' | 'C';
  permission: string;
  path: (f: Fixture) => string;
  /** Where an allowed page request is redirected instead of 200 (creating inside a project). */
  allowedRedirect?: (f: Fixture) => string;
}

const uuid = (f: Fixture, target: 'P' | 'C') => (target === 'P' ? f.project : f.category).sodar_uuid;
const page = (name: string, target: 'P' | 'C', permission: string, prefix: string, extra: Partial<Route> = {}): Route => ({
  name: `${name} ${target}`, method: 'get', kind: 'page', target, permission, path: (f) => `${prefix}${uuid(f, target)}`, ...extra,
});

const ROUTES: Route[] = [
  ...(['P', 'C'] as const).flatMap((t) => [
    page('detail', t, 'projectroles.view_project', '/project/'),
    page('members', t, 'projectroles.view_project_roles', '/project/members/'),
    page('update', t, 'projectroles.update_project', '/project/update/'),
    // The fixture's category holds the project: SODAR sends whoever may delete it home with a message.
    page('delete', t, 'projectroles.delete_project', '/project/delete/', t === 'C' ? { allowedRedirect: () => '/' } : {}),
    page('add member', t, 'projectroles.update_project_members', '/project/members/create/'),
    page('owner transfer', t, 'projectroles.update_project_owner', '/project/members/owner/transfer/'),
    { name: `star ${t}`, method: 'post', kind: 'ajax', target: t, permission: 'projectroles.star_project', path: (f: Fixture) => `/project/ajax/star/${uuid(f, t)}` } as Route,
  ]),
  page('archive', 'P', 'projectroles.update_project', '/project/archive/'),
  page('create in', 'C', 'projectroles.create_project', '/project/create/'),
  page('create in', 'P', 'projectroles.create_project', '/project/create/', { allowedRedirect: (f) => `/project/${f.project.sodar_uuid}` }),
  { name: 'list children of C', method: 'get', kind: 'ajax', target: 'C', permission: 'projectroles.view_project', path: (f) => `/project/ajax/list?parent=${f.category.sodar_uuid}` },
];

function expectedStatus(route: Route, f: Fixture, actor: Actor, allowed: boolean): { status: number; location?: string } {
  if (route.kind === 'ajax') return { status: allowed ? 200 : 403 };
  if (allowed) return route.allowedRedirect ? { status: 302, location: route.allowedRedirect(f) } : { status: 200 };
  if (actor === 'A') return { status: 302, location: `/login?next=${encodeURIComponent(route.path(f))}` };
  return { status: 302, location: '/' };
}

for (const variant of [
  { name: 'private', publicGuest: false, allowAnonymous: false, archived: false },
  { name: 'public as guest, anonymous allowed', publicGuest: true, allowAnonymous: true, archived: false },
  { name: 'archived', publicGuest: false, allowAnonymous: false, archived: true },
]) {
  describe(`route permissions: ${variant.name}`, () => {
    let site: TestSite;
    let fixture: Fixture;
    let agents: Map<Actor, Agent>;
    let tokens: Map<Actor, string>;

    before(async () => {
      site = await startTestSite({ env: { ALLOW_ANONYMOUS: String(variant.allowAnonymous) } });
      fixture = await buildFixture(site, variant);
      ({ agents, tokens } = await actorAgents(site, fixture.users));
    });
    after(async () => {
      await site.close();
      await site.location.remove();
    });

    it('answers every route for every actor as §6.3 says', async () => {
      const mismatches: string[] = [];
      for (const route of ROUTES) {
        const passing = (route.target === 'P' ? expectedOnP(variant.publicGuest, variant.allowAnonymous) : expectedOnC(variant.publicGuest, variant.allowAnonymous))[route.permission];
        assert.ok(passing, `the fixture knows ${route.permission} on ${route.target}`);
        for (const actor of ALL_ACTORS) {
          const expected = expectedStatus(route, fixture, actor, actor === 'su' || passing.includes(actor));
          const agent = agents.get(actor)!;
          const request = route.method === 'get' ? agent.get(route.path(fixture)) : agent.post(route.path(fixture)).set('X-CSRFToken', tokens.get(actor)!);
          const res = await request;
          const got = `${res.status}${res.headers.location ? ` ${res.headers.location}` : ''}`;
          const want = `${expected.status}${expected.location ? ` ${expected.location}` : ''}`;
          if (got !== want) mismatches.push(`${route.name} as ${actor}: got ${got}, expected ${want}`);
        }
      }
      assert.deepEqual(mismatches, []);
    });
  });
}
