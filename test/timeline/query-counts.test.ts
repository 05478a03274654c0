/**
 * The timeline's pages, Ajax and REST views cost the same number of SQL statements with
 * 1,000 events as with 100,000: nothing loads or counts per stored event, page by page.
 * Counted as sent by the driver (X-Query-Count), warm (sessions and users cached) and cold
 * (a site that reads them every time), each pass on a site of its own (onFreshSite).
 * The events go in with the bulk seed (seconds, not minutes); each project's events cycle
 * through the seed's kinds, so every page holds users, projects, plugin objects and
 * classified rows to look up at both sizes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import { seedBulkEvents } from '../../timeline/seed';
import { PAGE_SIZE } from '../../timeline/queries';
import { onFreshSite } from '../helpers/fresh-site';
import { logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;

const PROJECTS = 10;
const FEW = 1_000;
const MANY = 100_000;
const REST_ACCEPT = 'application/vnd.bihealth.sodar-core.timeline+json; version=2.0';

/** X-Query-Count of a GET in the steady state: the second of two, the first may fill caches. */
async function queryCount(agent: Agent, url: string, accept?: string): Promise<number> {
  const get = () => (accept ? agent.get(url).set('Accept', accept) : agent.get(url)).expect(200);
  await get();
  const header = (await get()).headers['x-query-count'];
  assert.ok(header !== undefined, `${url} sent no X-Query-Count`);
  return Number(header);
}

/**
 * Statements per view when warm, the same for each user (the event detail reads its project's
 * access block and IP allow list); cold adds the session and the user read, and for pages the
 * user's settings (the user menu), which are cached with the user.
 */
const WARM: Record<string, number> = { 'project timeline': 2, 'next page': 2, 'event detail': 5, 'REST list page 1': 4, 'project card': 2 };
const COLD_EXTRA: Record<string, number> = { 'project timeline': 3, 'next page': 3, 'event detail': 2, 'REST list page 1': 2, 'project card': 2 };

/** WARM and WARM + COLD_EXTRA for each of `users`, keyed as countsOfViews keys them. */
function expectedFor(users: string[]): { warm: Record<string, number>; cold: Record<string, number> } {
  const keyed = (cold: boolean) =>
    Object.fromEntries(users.flatMap((user) => Object.entries(WARM).map(([view, count]) => [`${user}: ${view}`, count + (cold ? (COLD_EXTRA[view] ?? 0) : 0)])));
  return { warm: keyed(false), cold: keyed(true) };
}

describe('timeline query counts', { timeout: 180_000 }, () => {
  let site: TestSite;
  let owner: User;
  let guest: User;
  let projects: Project[];
  /** The measured users by the name their counts are keyed with. */
  const USERS = { owner: 'owner', 'guest (inherited from the category)': 'guest' };

  const addEvents = (count: number) =>
    seedBulkEvents(site.db.dataSource, { events: count, projectIds: projects.map((p) => p.id), userIds: [owner.id, guest.id] });

  /** The newest event the guest may open in the measured project. */
  async function newestVisibleEvent(): Promise<string> {
    const [row]: Array<{ sodar_uuid: string }> = await site.db.dataSource.query(
      'SELECT sodar_uuid FROM timeline_event WHERE project_id = $1 AND NOT classified ORDER BY sort_key DESC LIMIT 1',
      [projects[0]!.id],
    );
    return row!.sodar_uuid;
  }

  /** Statements per view, for each user, keyed `user: view`, warm and cold. */
  async function countsOfViews(): Promise<{ warm: Record<string, number>; cold: Record<string, number> }> {
    const countsOn = (cacheSeconds: number) => onFreshSite(site, cacheSeconds, async (fresh) => countsFor(await logInAll(fresh)));
    return { warm: await countsOn(60), cold: await countsOn(0) };
  }

  async function logInAll(on: TestSite): Promise<Map<string, Agent>> {
    const agents = new Map<string, Agent>();
    for (const [name, username] of Object.entries(USERS)) agents.set(name, await logIn(on.app, username));
    return agents;
  }

  async function countsFor(users: Map<string, Agent>): Promise<Record<string, number>> {
    const project = projects[0]!.sodar_uuid;
    const event = await newestVisibleEvent();
    const counts: Record<string, number> = {};
    for (const [name, agent] of users) {
      const first = await agent.get(`/timeline/${project}`).expect(200);
      assert.equal(first.text.match(/<tr class="sodar-tl-row"/g)?.length, PAGE_SIZE, `${name}: a full page`);
      // Every kind of reference is looked up on the page, at both sizes.
      for (const kind of ['sodar-tl-user', 'sodar-tl-project-link', 'sodar-tl-not-found']) assert.match(first.text, new RegExp(kind), `${name}: ${kind} on the page`);
      const before = /\?before=(\d+)/.exec(first.text)?.[1];
      assert.ok(before, 'a full first page links to the next one');
      counts[`${name}: project timeline`] = await queryCount(agent, `/timeline/${project}`);
      counts[`${name}: next page`] = await queryCount(agent, `/timeline/${project}?before=${before}`);
      counts[`${name}: event detail`] = await queryCount(agent, `/timeline/ajax/detail/${event}`);
      counts[`${name}: REST list page 1`] = await queryCount(agent, `/timeline/api/list/${project}?page=1`, REST_ACCEPT);
      counts[`${name}: project card`] = await queryCount(agent, `/timeline/ajax/card/${project}`);
    }
    return counts;
  }

  before(async () => {
    // Caches of sessions and plugin states are not refreshed during the test: no extra statements.
    site = await startTestSite({ env: { CROSS_PROCESS_DELAY_SECONDS: '60' } });
    owner = await site.createUser({ username: 'owner' });
    guest = await site.createUser({ username: 'guest' });
    const category = await createProject(site.db.dataSource, { title: 'Load', type: 'CATEGORY', parent: null, owner });
    await assignRole(site.db.dataSource, category, guest, 'project guest');
    projects = [];
    for (let i = 1; i <= PROJECTS; i += 1) projects.push(await createProject(site.db.dataSource, { title: `Project ${i}`, type: 'PROJECT', parent: category, owner }));
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it(`are the same with ${FEW.toLocaleString('en')} and ${MANY.toLocaleString('en')} events`, async () => {
    await addEvents(FEW);
    const few = await countsOfViews();
    await addEvents(MANY - FEW);
    const [stored]: Array<{ events: number }> = await site.db.dataSource.query('SELECT count(*)::int AS events FROM timeline_event WHERE project_id = ANY ($1::int[])', [projects.map((p) => p.id)]);
    assert.ok(stored!.events >= MANY, `${stored!.events} events stored`);
    const many = await countsOfViews();
    const expected = expectedFor(Object.keys(USERS));
    assert.deepEqual(few, expected);
    assert.deepEqual(many, expected);
  });

  it('answer the REST list with the total of all events, not of one page', async () => {
    const res = await (await logIn(site.app, 'owner')).get(`/timeline/api/list/${projects[0]!.sodar_uuid}?page=2`).set('Accept', REST_ACCEPT).expect(200);
    assert.ok(res.body.count >= MANY / PROJECTS, `count ${res.body.count}`);
    assert.equal(res.body.results.length, 100);
  });
});
