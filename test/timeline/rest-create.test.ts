/**
 * POST /timeline/api/create/<project>: one event or a batch, all or nothing, and clear
 * answers to bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { createProject } from '../../projectroles/projects';
import { csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';

const ACCEPT = 'application/vnd.bihealth.sodar-core.timeline+json; version=2.0';

describe('timeline REST create', () => {
  let site: TestSite;
  let project: Project;
  let owner: User;
  let post: (body: unknown) => Promise<{ status: number; body: unknown }>;
  const eventCount = async () => Number((await site.db.dataSource.query('SELECT count(*) AS n FROM timeline_event WHERE project_id = $1', [project.id]))[0].n);

  before(async () => {
    site = await startTestSite();
    owner = await site.createUser({ username: 'scripter' });
    const category = await createProject(site.db.dataSource, { title: 'Scripts', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Pipeline', type: 'PROJECT', parent: category, owner });
    const agent = await logIn(site.app, 'scripter');
    const token = await csrfTokenOf(agent);
    post = async (body) => {
      const res = await agent.post(`/timeline/api/create/${project.sodar_uuid}`).set('Accept', ACCEPT).set('X-CSRFToken', token).send(body as object);
      return { status: res.status, body: res.body };
    };
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('records one event and answers with it', async () => {
    const res = await post({ event_name: 'align', description: 'aligned 12 samples', status_type: 'OK' });
    assert.equal(res.status, 201);
    const created = res.body as { sodar_uuid: string; event_name: string };
    assert.equal(created.event_name, 'align');
    const [row] = await site.db.dataSource.query('SELECT e.app, u.username FROM timeline_event e JOIN projectroles_user u ON u.id = e.user_id WHERE e.sodar_uuid = $1', [created.sodar_uuid]);
    assert.deepEqual({ ...row }, { app: 'timeline', username: 'scripter' });
  });

  it('records a batch in one go, in order', async () => {
    const before = await eventCount();
    const res = await post([1, 2, 3].map((n) => ({ event_name: 'call', description: `variant call ${n}` })));
    assert.equal(res.status, 201);
    assert.deepEqual((res.body as Array<{ event_name: string }>).map((e) => e.event_name), ['call', 'call', 'call']);
    assert.equal(await eventCount(), before + 3);
  });

  it('saves nothing of a batch with one bad event, naming it', async () => {
    const before = await eventCount();
    const res = await post([{ event_name: 'ok_one' }, { event_name: 'bad_one', status_type: 'DONE' }]);
    assert.equal(res.status, 400);
    assert.match((res.body as { detail: string }).detail, /status_type: "DONE" is not one of OK, INIT/);
    const missing = await post([{ event_name: 'ok_one' }, { description: 'no name' }]);
    assert.equal(missing.status, 400);
    assert.match((missing.body as { detail: string }).detail, /\[1\]\.event_name: required/);
    assert.equal(await eventCount(), before);
  });

  it('refuses empty and oversized batches and wrong types with 400', async () => {
    const before = await eventCount();
    assert.match(((await post([])).body as { detail: string }).detail, /a batch holds 1 to 100 events \(got 0\)/);
    const tooMany = await post(Array.from({ length: 101 }, () => ({ event_name: 'x' })));
    assert.equal(tooMany.status, 400);
    assert.equal((await post({ event_name: 'x', classified: 'yes' })).status, 400);
    assert.equal((await post({ event_name: 'x', extra_data: [1] })).status, 400);
    assert.equal((await post({ event_name: 'x', app: 'no_such_app' })).status, 400);
    assert.equal(await eventCount(), before);
  });
});
