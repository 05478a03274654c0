/**
 * X-Query-Count (which the bench prints) is every statement a request sends: for each
 * endpoint the bench measures, warm (caches hot) and cold (a site that reads sessions, users
 * and plugin states from the database every time), at a few rows per table, the header equals an independent count
 * taken where the protocol messages leave for the database (test/helpers/wire-count.ts).
 * The one statement the header rightly leaves out is the plugin-state refresh, which runs in
 * the background outside any request (PluginStateWatcher): on the cold site each request
 * starts one, and it shows on the wire, never in a request's count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'supertest';
import { CUSTOM_PLANS, GENERIC_PLANS } from '../../app/statement-plans';
import { assignRole, createProject } from '../../projectroles/projects';
import { seedBulkEvents } from '../../timeline/seed';
import { onFreshSite } from '../helpers/fresh-site';
import { countAtTheWire, type WireCount } from '../helpers/wire-count';
import { anonymous, csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;

const TIMELINE = 'application/vnd.bihealth.sodar-core.timeline+json; version=2.0';
const PLUGIN_STATE_READ = /FROM projectroles_plugin$/;
/** The refresh reads the SITE setting values after the plugin states (AppSettings.refreshSiteValues). */
const SITE_VALUES_READ = /FROM projectroles_appsetting WHERE project_id IS NULL AND user_id IS NULL$/;
const inBackground = (text: string) => PLUGIN_STATE_READ.test(text.trim()) || SITE_VALUES_READ.test(text.trim());

/** One request of the bench's list: which user sends it, and how. */
interface Probe {
  name: string;
  send(users: Users): Test;
}

interface Users {
  anonymous: ReturnType<typeof anonymous>;
  admin: Agent;
  adminToken: string;
  viewer: Agent;
}

describe('X-Query-Count against a count at the wire', { timeout: 120_000 }, () => {
  let site: TestSite;
  let wire: WireCount;
  const seen = { category: '', project: '', event: '' };
  let posted = 0;

  const probes: Probe[] = [
    { name: 'GET /login', send: (u) => u.anonymous.get('/login') },
    { name: 'GET / (admin)', send: (u) => u.admin.get('/') },
    { name: 'GET /readyz', send: (u) => u.anonymous.get('/readyz') },
    { name: 'GET /example_backend_app/ajax/hello', send: (u) => u.admin.get('/example_backend_app/ajax/hello') },
    { name: 'home list', send: (u) => u.viewer.get('/project/ajax/list') },
    { name: 'category list', send: (u) => u.viewer.get(`/project/ajax/list?parent=${seen.category}`) },
    { name: 'home list (admin)', send: (u) => u.admin.get('/project/ajax/list') },
    { name: 'project detail', send: (u) => u.viewer.get(`/project/${seen.project}`) },
    { name: 'members', send: (u) => u.viewer.get(`/project/members/${seen.project}`) },
    { name: 'project timeline', send: (u) => u.viewer.get(`/timeline/${seen.project}`) },
    { name: 'event detail', send: (u) => u.viewer.get(`/timeline/ajax/detail/${seen.event}`) },
    { name: 'POST one event', send: (u) => post(u).send({ event_name: 'probe', description: `probe ${(posted += 1)}` }) },
    { name: 'POST a batch', send: (u) => post(u).send(Array.from({ length: 5 }, () => ({ event_name: 'probe', description: `probe ${(posted += 1)}` }))) },
  ];
  const post = (u: Users) => u.admin.post(`/timeline/api/create/${seen.project}`).set('X-CSRFToken', u.adminToken).set('Accept', TIMELINE);

  async function usersOf(site: TestSite): Promise<Users> {
    const admin = await logIn(site.app, 'admin');
    return { anonymous: anonymous(site.app), admin, adminToken: await csrfTokenOf(admin), viewer: await logIn(site.app, 'viewer') };
  }

  /** The header of one request and what the wire saw from its start until things settle. */
  async function measure(probe: Probe, users: Users): Promise<{ header: number; statements: string[] }> {
    const from = wire.executed.length;
    const res = await probe.send(users);
    assert.ok(res.status < 300, `${probe.name}: ${res.status}`);
    await sleep(50); // a background refresh the request started finishes
    return { header: Number(res.headers['x-query-count']), statements: wire.executed.slice(from) };
  }

  before(async () => {
    site = await startTestSite();
    const ds = site.db.dataSource;
    const admin = (await ds.query("SELECT * FROM projectroles_user WHERE username = 'admin'"))[0];
    const viewer = await site.createUser({ username: 'viewer' });
    const category = await createProject(ds, { title: 'Category', type: 'CATEGORY', parent: null, owner: admin });
    const project = await createProject(ds, { title: 'Project', type: 'PROJECT', parent: category, owner: admin });
    await assignRole(ds, category, viewer, 'project guest');
    await seedBulkEvents(ds, { events: 100, projectIds: [project.id], userIds: [admin.id, viewer.id] });
    const [event]: Array<{ sodar_uuid: string }> = await ds.query('SELECT sodar_uuid FROM timeline_event WHERE project_id = $1 AND NOT classified LIMIT 1', [project.id]);
    Object.assign(seen, { category: category.sodar_uuid, project: project.sodar_uuid, event: event!.sodar_uuid });
    wire = countAtTheWire();
  });
  after(async () => {
    wire.stop();
    await site.close();
    await site.location.remove();
  });

  // Each on a site of its own whose caches start empty (onFreshSite): 60 s, or none at all.
  it('match for every bench endpoint, warm (the second of two requests)', () =>
    onFreshSite(site, 60, async (warm) => {
      const users = await usersOf(warm);
      const all: string[] = [];
      for (const probe of probes) {
        await probe.send(users);
        const { header, statements } = await measure(probe, users);
        assert.equal(statements.length, header, `${probe.name}: header ${header}, at the wire:\n${statements.join('\n')}`);
        all.push(...statements);
      }
      // What TypeORM's logger never saw, and the header now counts.
      assert.ok(all.includes(CUSTOM_PLANS) && all.includes(GENERIC_PLANS), 'the plan-mode SETs went out and counted');
    }));

  it('match for every bench endpoint, cold, where only the background plugin-state refresh is left out', () =>
    onFreshSite(site, 0, async (cold) => {
      const users = await usersOf(cold);
      let refreshes = 0;
      for (const probe of probes) {
        const { header, statements } = await measure(probe, users);
        const inRequest = statements.filter((text) => !inBackground(text));
        assert.equal(inRequest.length, header, `${probe.name}: header ${header}, at the wire:\n${statements.join('\n')}`);
        // Each request starts one unless the last is still running (a slow machine).
        const started = statements.filter((text) => PLUGIN_STATE_READ.test(text.trim())).length;
        assert.ok(started <= 1, `${probe.name}: at most one background refresh`);
        refreshes += started;
      }
      assert.ok(refreshes > 0, 'the background refreshes went out, in no request\'s count');
    }));
});
