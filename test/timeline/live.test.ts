/**
 * Live updates of a project timeline: GET /timeline/ajax/live/<project> is a Server-Sent
 * Events stream with `data: {"event": uuid}` for each new event or status change of the
 * project, as the database's LISTEN/NOTIFY reports them at commit. Read here as a browser
 * would, over a real socket held open.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project } from '../../projectroles/entities';
import { createProject } from '../../projectroles/projects';
import type { TimelineAPI } from '../../timeline/api';
import { createEventOverHttp, logInOverHttp, runWriter, type HttpSession } from '../../test-e2e/fixtures/add-timeline-event';
import { databaseKind } from '../helpers/database';
import { LIVE_DEADLINE_MS, openStream, type LiveStream } from '../helpers/live-stream';
import { startTestSite, TEST_PASSWORD, type TestSite } from '../helpers/site';
import { serveOverHttp, type ServedApp } from '../helpers/http-server';

describe('timeline live updates (Server-Sent Events)', () => {
  let site: TestSite;
  let served: ServedApp;
  let base: string;
  let api: TimelineAPI;
  let project: Project;
  let otherProject: Project;
  let owner: HttpSession;
  let stream: LiveStream;
  const latencies: number[] = [];

  /** An event written by this process, as projectroles or a plugin would. */
  const addEvent = (target: Project, description: string) =>
    api.addEvent({ project: target, app: 'timeline', user: null, eventName: 'test_event', description });

  before(async () => {
    site = await startTestSite();
    const olivia = await site.createUser({ username: 'olivia' });
    await site.createUser({ username: 'nora' });
    const category = await createProject(site.db.dataSource, { title: 'Live Category', type: 'CATEGORY', parent: null, owner: olivia });
    project = await createProject(site.db.dataSource, { title: 'Live Project', type: 'PROJECT', parent: category, owner: olivia });
    otherProject = await createProject(site.db.dataSource, { title: 'Quiet Project', type: 'PROJECT', parent: category, owner: olivia });
    api = site.registry.getBackendApi('timeline')!;
    served = await serveOverHttp(site.app);
    base = served.base;
    owner = await logInOverHttp(base, 'olivia', TEST_PASSWORD);
    stream = await openStream(base, `/timeline/ajax/live/${project.sodar_uuid}`, owner.cookie);
  });
  after(async () => {
    stream?.close();
    if (latencies.length > 0) console.log(`live message latencies (ms): ${latencies.join(', ')}`);
    served?.close();
    await site.close();
    await site.location.remove();
  });

  it('opens an event stream for a member', () => {
    assert.equal(stream.status, 200);
    assert.match(stream.contentType, /^text\/event-stream/);
  });

  it('streams on the newest page of the timeline only', async () => {
    const page = (query: string) => fetch(`${base}/timeline/${project.sodar_uuid}${query}`, { headers: { Cookie: owner.cookie } }).then((res) => res.text());
    assert.match(await page(''), new RegExp(`data-live="/timeline/ajax/live/${project.sodar_uuid}"`));
    // New events belong on top of the newest page, not of an older one.
    assert.doesNotMatch(await page('?before=1'), /data-live=/);
  });

  it('announces a new event and a status change within 2 s', async () => {
    let sent = Date.now();
    const uuid = await createEventOverHttp(base, owner, { project: project.sodar_uuid, eventName: 'live_created', description: 'made through REST' });
    const created = await stream.next();
    assert.deepEqual(created.data, { event: uuid });
    latencies.push(created.at - sent);

    const handle = (await api.getEvent(uuid))!;
    sent = Date.now();
    await handle.setStatus('OK', 'done');
    const changed = await stream.next();
    assert.deepEqual(changed.data, { event: uuid }, 'a status change names its event');
    latencies.push(changed.at - sent);
  });

  it('says nothing of an event whose transaction rolled back', async () => {
    await assert.rejects(
      site.db.dataSource.transaction(async (manager) => {
        await api.addEvent({ project, app: 'timeline', user: null, eventName: 'test_event', description: 'never happened', manager });
        throw new Error('the change failed');
      }),
      /the change failed/,
    );
    const [stored] = await site.db.dataSource.query("SELECT count(*) AS n FROM timeline_event WHERE description = 'never happened'");
    assert.equal(stored.n, 0);
    // Notifications come in commit order: the next one must be this marker, not the rolled-back event.
    const marker = await addEvent(project, 'after the rollback');
    assert.deepEqual((await stream.next()).data, { event: marker.event.sodar_uuid });
  });

  it('does not announce events of another project', async () => {
    await addEvent(otherProject, 'elsewhere');
    const marker = await addEvent(project, 'here');
    assert.deepEqual((await stream.next()).data, { event: marker.event.sodar_uuid });
  });

  it('refuses the stream without view_timeline (403 JSON), also to anonymous', async () => {
    const nora = await logInOverHttp(base, 'nora', TEST_PASSWORD);
    for (const cookie of [nora.cookie, undefined]) {
      const refused = await openStream(base, `/timeline/ajax/live/${project.sodar_uuid}`, cookie);
      assert.equal(refused.status, 403, cookie ? 'a user without a role' : 'anonymous');
      assert.match(refused.contentType, /^application\/json/);
      assert.ok((JSON.parse(await refused.body()) as { detail?: string }).detail);
    }
  });

  it(
    'announces an event another process wrote to the database',
    { skip: databaseKind === 'embedded' ? 'the embedded database (PGlite) admits one process; another process writes through HTTP there (test-e2e/timeline-live.test.ts)' : false },
    async () => {
      const written = await runWriter(
        { via: 'database', project: project.sodar_uuid, user: 'olivia', eventName: 'from_elsewhere', description: 'written by another process' },
        site.location.env,
      );
      const arrived = await stream.next(LIVE_DEADLINE_MS + 10_000);
      assert.deepEqual(arrived.data, { event: written.event });
      // From before the other process sent its write: an upper bound of the delay.
      const latency = arrived.at - written.sentAt;
      latencies.push(latency);
      assert.ok(latency < LIVE_DEADLINE_MS, `arrived ${latency} ms after the other process wrote`);
    },
  );
});
