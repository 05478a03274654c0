import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import { csrfFrom, logIn, startTestSite, type TestSite } from '../helpers/site';
import { scratchDir } from '../helpers/scratch';

type Agent = Awaited<ReturnType<typeof logIn>>;

/** Submits a form page's form with `fields` (and its CSRF token). */
async function submit(agent: Agent, path: string, fields: Record<string, string>) {
  const page = await agent.get(path).expect(200);
  return agent.post(path).type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
}

describe('project forms', () => {
  let site: TestSite;
  let pluginDir: string;
  let owner: User;
  let admin: Agent;
  let ownerAgent: Agent;
  let guestAgent: Agent;
  let category: Project;
  const row = async (title: string) => (await site.db.dataSource.query('SELECT * FROM projectroles_project WHERE title = $1', [title]))[0];

  before(async () => {
    pluginDir = scratchDir('sodar-hooks-');
    fs.cpSync(path.join(__dirname, '..', 'fixtures', 'plugins', 'modify_hooks'), path.join(pluginDir, 'modify_hooks'), { recursive: true });
    site = await startTestSite({ env: { PLUGIN_DIRS: pluginDir } });
    owner = await site.createUser({ username: 'owner' });
    const guest = await site.createUser({ username: 'guest' });
    category = await createProject(site.db.dataSource, { title: 'Lab', type: 'CATEGORY', parent: null, owner });
    await assignRole(site.db.dataSource, category, guest, 'project guest');
    admin = await logIn(site.app, 'admin');
    ownerAgent = await logIn(site.app, 'owner');
    guestAgent = await logIn(site.app, 'guest');
  });
  after(async () => {
    await site.close();
    await site.location.remove();
    fs.rmSync(pluginDir, { recursive: true, force: true });
  });

  it('lets only superusers create at the top level', async () => {
    const res = await submit(admin, '/project/create', { title: 'Top', owner: 'owner' });
    assert.equal(res.status, 302);
    const top = await row('Top');
    assert.equal(top.type, 'CATEGORY');
    assert.equal(res.headers.location, `/project/${top.sodar_uuid}`);
    await ownerAgent.get('/project/create').expect(302).expect('Location', '/');
  });

  it('creates a project in a category for its owner, not for a guest, never inside a project', async () => {
    const res = await submit(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'Exomes', type: 'PROJECT', description: 'Trios', public_access: 'project guest' });
    assert.equal(res.status, 302);
    const exomes = await row('Exomes');
    assert.equal(exomes.full_title, 'Lab / Exomes');
    assert.equal(exomes.description, 'touched by hook', 'the hook wrote in the same transaction');
    await guestAgent.get(`/project/create/${category.sodar_uuid}`).expect(302).expect('Location', '/');
    await ownerAgent.get(`/project/create/${exomes.sodar_uuid}`).expect(302).expect('Location', `/project/${exomes.sodar_uuid}`);
  });

  it('answers a bad title with 400 and the form again', async () => {
    const res = await submit(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'a / b', type: 'PROJECT' });
    assert.equal(res.status, 400);
    assert.match(res.text, /title: may not contain/);
    assert.match(res.text, /id="sodar-project-form"/);
  });

  it('rolls everything back and reverts earlier hooks when a plugin hook fails', async () => {
    const recorder = site.registry.getAppPlugin('hook_recorder', 'backend') as unknown as { calls: string[] };
    recorder.calls.length = 0;
    const res = await submit(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'FAIL project', type: 'PROJECT' });
    assert.equal(res.status, 500);
    assert.match(res.text, /Plugin &#39;hook_refuser&#39; failed in performProjectModify: the external system said no\. Nothing was changed\./);
    assert.equal(await row('FAIL project'), undefined, 'no project row');
    assert.deepEqual(recorder.calls, ['performProjectModify CREATE', 'revertProjectModify CREATE']);
  });

  it('renames a category and its subtree follows; moves a project', async () => {
    const sub = await createProject(site.db.dataSource, { title: 'Sub', type: 'CATEGORY', parent: category, owner });
    await createProject(site.db.dataSource, { title: 'Deep', type: 'PROJECT', parent: sub, owner });
    const res = await submit(ownerAgent, `/project/update/${category.sodar_uuid}`, { title: 'Laboratory', description: '', readme: '' });
    assert.equal(res.status, 302);
    assert.equal((await row('Deep')).full_title, 'Laboratory / Sub / Deep');
    const other = await createProject(site.db.dataSource, { title: 'Other', type: 'CATEGORY', parent: null, owner });
    const deep = await row('Deep');
    await submit(ownerAgent, `/project/update/${deep.sodar_uuid}`, { title: 'Deep', parent: other.sodar_uuid, description: '', readme: '', public_access: '' });
    const moved = await row('Deep');
    assert.deepEqual(moved.ancestor_ids, [other.id]);
    assert.equal(moved.full_title, 'Other / Deep');
    const toTop = await submit(ownerAgent, `/project/update/${moved.sodar_uuid}`, { title: 'Deep', parent: '', description: '', readme: '' });
    assert.equal(toTop.status, 400);
    assert.match(toTop.text, /only superusers may move to the top level/);
  });

  it('archives a project but not a category', async () => {
    const exomes = await row('Exomes');
    await submit(ownerAgent, `/project/archive/${exomes.sodar_uuid}`, { status: '1' });
    assert.equal((await row('Exomes')).archive, true);
    await submit(ownerAgent, `/project/archive/${exomes.sodar_uuid}`, { status: '0' });
    assert.equal((await row('Exomes')).archive, false);
    const form = await ownerAgent.get(`/project/archive/${category.sodar_uuid}`).expect(302);
    assert.equal(form.headers.location, `/project/${category.sodar_uuid}`);
    const token = csrfFrom((await ownerAgent.get(`/project/archive/${exomes.sodar_uuid}`).expect(200)).text);
    const res = await ownerAgent.post(`/project/archive/${category.sodar_uuid}`).type('form').send({ status: '1', _csrf: token });
    assert.equal(res.status, 302);
    assert.equal((await row('Laboratory')).archive, false);
    assert.match((await ownerAgent.get(res.headers.location!)).text, /Setting archival is not allowed for categories\./);
  });

  it('deletes only with the host name confirmed, and never a category with children', async () => {
    const exomes = await row('Exomes');
    const wrong = await submit(ownerAgent, `/project/delete/${exomes.sodar_uuid}`, { delete_host_confirm: 'example.org' });
    assert.equal(wrong.headers.location, `/project/delete/${exomes.sodar_uuid}`);
    assert.ok(await row('Exomes'));
    await submit(ownerAgent, `/project/delete/${exomes.sodar_uuid}`, { delete_host_confirm: '127.0.0.1' });
    assert.equal(await row('Exomes'), undefined);
    const token = csrfFrom((await ownerAgent.get('/').expect(200)).text);
    const refused = await ownerAgent.post(`/project/delete/${category.sodar_uuid}`).type('form').send({ delete_host_confirm: '127.0.0.1', _csrf: token });
    assert.equal(refused.headers.location, '/');
    assert.ok(await row('Laboratory'), 'a category with children stays');
    await ownerAgent.get(`/project/delete/${category.sodar_uuid}`).expect(302).expect('Location', '/');
    await guestAgent.get(`/project/delete/${category.sodar_uuid}`).expect(302).expect('Location', '/');
  });
});
