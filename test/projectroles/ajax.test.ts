import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import { anonymous, csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';
import { scratchDir } from '../helpers/scratch';

type Agent = Awaited<ReturnType<typeof logIn>>;

describe('projectroles Ajax views', () => {
  let site: TestSite;
  let category: Project;
  let project: Project;
  let publicProject: Project;
  let owner: Agent;
  let guest: Agent;

  before(async () => {
    site = await startTestSite();
    const ownerUser = await site.createUser({ username: 'owner', name: 'Owner Person' });
    const guestUser = await site.createUser({ username: 'guest' });
    category = await createProject(site.db.dataSource, { title: 'Cat', type: 'CATEGORY', parent: null, owner: ownerUser });
    project = await createProject(site.db.dataSource, { title: 'Proj', type: 'PROJECT', parent: category, owner: ownerUser });
    publicProject = await createProject(site.db.dataSource, { title: 'Open', type: 'PROJECT', parent: category, owner: ownerUser, publicAccess: 'project viewer' });
    await assignRole(site.db.dataSource, project, guestUser, 'project guest');
    owner = await logIn(site.app, 'owner');
    guest = await logIn(site.app, 'guest');
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('lists roles for given projects, public access shown muted', async () => {
    const res = await guest.post('/project/ajax/list/roles').set('X-CSRFToken', await csrfTokenOf(guest)).send({ projects: [project.sodar_uuid, publicProject.sodar_uuid, category.sodar_uuid] }).expect(200);
    assert.deepEqual(res.body, {
      [project.sodar_uuid]: { name: 'Guest', class: null },
      [publicProject.sodar_uuid]: { name: 'Viewer', class: 'text-muted' },
    });
    await guest.post('/project/ajax/list/roles').set('X-CSRFToken', await csrfTokenOf(guest)).send({ projects: ['x'] }).expect(400);
  });

  it('remembers the starred-only choice of the home list', async () => {
    const token = await csrfTokenOf(guest);
    await guest.post('/project/ajax/star/home').set('X-CSRFToken', token).type('form').send({ value: '1' }).expect(200, '1');
    assert.match((await guest.get('/').expect(200)).text, /id="sodar-starred-only" checked/);
    const list = await guest.get('/project/ajax/list').expect(200);
    assert.equal(list.body.messages.no_projects, 'No starred projects or categories.');
    await guest.post('/project/ajax/star/home').set('X-CSRFToken', token).type('form').send({ value: '0' }).expect(200, '0');
    await guest.post('/project/ajax/star/home').set('X-CSRFToken', token).type('form').send({ value: 'yes' }).expect(400);
  });

  it('gives the sidebar and the user dropdown links', async () => {
    const sidebar = await guest.get(`/project/ajax/sidebar/${project.sodar_uuid}`).expect(200);
    assert.deepEqual(sidebar.body.links.map((l: { name: string }) => l.name), ['project-detail', 'project-roles', 'timeline']);
    const admin = await logIn(site.app, 'admin');
    const dropdown = await admin.get('/project/ajax/dropdown').expect(200);
    assert.deepEqual(dropdown.body.links.map((l: { name: string; method: string }) => [l.name, l.method]), [['plugins', 'GET'], ['siteappsettings', 'GET'], ['timeline_site', 'GET'], ['timeline_site_admin', 'GET'], ['userprofile', 'GET'], ['logout', 'POST']]);
    const plain = await guest.get('/project/ajax/dropdown').expect(200);
    assert.deepEqual(plain.body.links.map((l: { name: string }) => l.name), ['timeline_site', 'userprofile', 'logout']);
  });

  it('tells the current user', async () => {
    const res = await owner.get('/project/ajax/user/current').expect(200);
    assert.equal(res.body.username, 'owner');
    assert.equal(res.body.name, 'Owner Person');
    await anonymous(site.app).get('/project/ajax/user/current').expect(403);
  });

  it('counts projects and members of a category, and refuses projects', async () => {
    const res = await guest.get(`/project/ajax/stats/category/${category.sodar_uuid}`).expect(200);
    assert.deepEqual(res.body.stats.map((s: { title: string; value: number }) => [s.title, s.value]), [['Projects', 2], ['Members', 2]]);
    const refused = await guest.get(`/project/ajax/stats/category/${project.sodar_uuid}`).expect(403);
    assert.equal(refused.body.detail, 'Only allowed for categories');
    await guest.get('/project/ajax/stats/category/6f1c8e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b').expect(404);
  });
});

describe('project app plugins in projectroles pages', () => {
  it('adds a sidebar link, a detail card and a list column, and its page checks the project', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = scratchDir('sodar-project-app-');
    fs.cpSync(path.join(__dirname, '..', 'fixtures', 'plugins', 'files_app'), path.join(dir, 'files_app'), { recursive: true });
    const site = await startTestSite({ env: { PLUGIN_DIRS: dir } });
    try {
      const owner = await site.createUser({ username: 'owner' });
      await site.createUser({ username: 'stranger' });
      const category = await createProject(site.db.dataSource, { title: 'Cat', type: 'CATEGORY', parent: null, owner });
      const project = await createProject(site.db.dataSource, { title: 'Proj', type: 'PROJECT', parent: category, owner });
      const agent = await logIn(site.app, 'owner');
      const detail = await agent.get(`/project/${project.sodar_uuid}`).expect(200);
      assert.match(detail.text, /Latest files[\s\S]*No files in Proj yet\./);
      assert.match(detail.text, new RegExp(`href="/files_app/${project.sodar_uuid}"`));
      assert.doesNotMatch((await agent.get(`/project/${category.sodar_uuid}`).expect(200)).text, /Latest files/, 'not in categories');
      assert.equal((await agent.get(`/files_app/${project.sodar_uuid}`).expect(200)).text, 'files of Proj');
      await agent.get(`/files_app/${category.sodar_uuid}`).expect(404);
      const stranger = await logIn(site.app, 'stranger');
      await stranger.get(`/files_app/${project.sodar_uuid}`).expect(302).expect('Location', '/');
      const home = await agent.get('/').expect(200);
      assert.match(home.text, /<th class="text-right">Files<\/th>/);
      const columns = await agent.post('/project/ajax/list/columns').set('X-CSRFToken', await csrfTokenOf(agent)).send({ projects: [project.sodar_uuid] }).expect(200);
      assert.deepEqual(columns.body, { [project.sodar_uuid]: { files_app: { files: 36 } } });
      const strangerColumns = await stranger.post('/project/ajax/list/columns').set('X-CSRFToken', await csrfTokenOf(stranger)).send({ projects: [project.sodar_uuid] }).expect(200);
      assert.deepEqual(strangerColumns.body, {}, 'nothing about projects the user cannot see');
    } finally {
      await site.close();
      await site.location.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
