import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { csrfFrom, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;

interface StoredEvent {
  id: number;
  project_id: number | null;
  app: string;
  username: string | null;
  event_name: string;
  description: string;
  classified: boolean;
  extra_data: Record<string, unknown>;
}

/** Submits the form of the page at `path` with `fields` and its CSRF token; expects the redirect of success. */
async function submit(agent: Agent, path: string, fields: Record<string, string>): Promise<void> {
  const page = await agent.get(path).expect(200);
  await agent.post(path).type('form').send({ ...fields, _csrf: csrfFrom(page.text) }).expect(302);
}

/** The changes projectroles records events for, each done through its page as a user would. */
function projectActions(site: TestSite) {
  const ds = site.db.dataSource;
  const projectNamed = async (title: string): Promise<Project> => (await ds.query('SELECT * FROM projectroles_project WHERE title = $1', [title]))[0];
  const assignmentOf = async (project: Project, username: string): Promise<string> =>
    (await ds.query('SELECT ra.sodar_uuid FROM projectroles_roleassignment ra JOIN projectroles_user u ON u.id = ra.user_id WHERE ra.project_id = $1 AND u.username = $2', [project.id, username]))[0].sodar_uuid;
  return {
    projectNamed,
    async createCategory(agent: Agent, title: string, owner: string): Promise<Project> {
      await submit(agent, '/project/create', { title, type: 'CATEGORY', description: 'A lab', readme: '', owner });
      return projectNamed(title);
    },
    async createProject(agent: Agent, parent: Project, title: string): Promise<Project> {
      await submit(agent, `/project/create/${parent.sodar_uuid}`, { title, type: 'PROJECT', description: 'Exomes', readme: '# Read me', owner: '' });
      return projectNamed(title);
    },
    async update(agent: Agent, project: Project, parent: Project, fields: { title: string; description: string; readme: string }): Promise<void> {
      await submit(agent, `/project/update/${project.sodar_uuid}`, { ...fields, type: 'PROJECT', public_access: '', parent: parent.sodar_uuid });
    },
    setArchived: (agent: Agent, project: Project, archive: boolean) => submit(agent, `/project/archive/${project.sodar_uuid}`, { status: archive ? '1' : '0' }),
    addMember: (agent: Agent, project: Project, user: User, role: string) => submit(agent, `/project/members/create/${project.sodar_uuid}`, { user: user.sodar_uuid, role }),
    changeMember: async (agent: Agent, project: Project, username: string, role: string) => submit(agent, `/project/members/update/${await assignmentOf(project, username)}`, { role }),
    removeMember: async (agent: Agent, project: Project, username: string) => submit(agent, `/project/members/delete/${await assignmentOf(project, username)}`, {}),
    transferOwner: (agent: Agent, project: Project, newOwner: string, oldOwnerRole: string) =>
      submit(agent, `/project/members/owner/transfer/${project.sodar_uuid}`, { new_owner: newOwner, old_owner_role: oldOwnerRole }),
    // supertest's requests go to 127.0.0.1, the host name the form asks for.
    delete: (agent: Agent, project: Project) => submit(agent, `/project/delete/${project.sodar_uuid}`, { delete_host_confirm: '127.0.0.1' }),
  };
}

describe('events projectroles records in the timeline', () => {
  let site: TestSite;
  let actions: ReturnType<typeof projectActions>;
  let admin: Agent;
  let alice: Agent;
  let bob: User;
  let carol: User;
  let category: Project;
  let project: Project;

  const latest = async (eventName: string): Promise<StoredEvent> => {
    const [row] = await site.db.dataSource.query(
      'SELECT e.*, u.username FROM timeline_event e LEFT JOIN projectroles_user u ON u.id = e.user_id WHERE e.event_name = $1 ORDER BY e.id DESC LIMIT 1',
      [eventName],
    );
    assert.ok(row, `an event ${eventName} was stored`);
    return row;
  };
  const statusesOf = async (event: StoredEvent): Promise<string[]> =>
    (await site.db.dataSource.query('SELECT status_type FROM timeline_eventstatus WHERE event_id = $1 ORDER BY id', [event.id])).map((s: { status_type: string }) => s.status_type);
  const refsOf = async (event: StoredEvent) =>
    site.db.dataSource.query('SELECT label, name, object_model, object_uuid FROM timeline_eventobjectref WHERE event_id = $1 ORDER BY id', [event.id]);
  const userRef = (label: string, user: Pick<User, 'username' | 'sodar_uuid'>) => ({ label, name: user.username, object_model: 'User', object_uuid: user.sodar_uuid });
  /** What every projectroles event shares: the app, the acting user, status INIT then OK. */
  const assertRecorded = async (event: StoredEvent, expected: { projectId: number | null; username: string; description: string }) => {
    assert.equal(event.app, 'projectroles');
    assert.equal(event.project_id, expected.projectId);
    assert.equal(event.username, expected.username);
    assert.equal(event.description, expected.description);
    assert.deepEqual(await statusesOf(event), ['INIT', 'OK']);
  };
  const userNamed = async (username: string): Promise<User> => (await site.db.dataSource.query('SELECT * FROM projectroles_user WHERE username = $1', [username]))[0];

  before(async () => {
    site = await startTestSite();
    actions = projectActions(site);
    await site.createUser({ username: 'alice' });
    bob = await site.createUser({ username: 'bob' });
    carol = await site.createUser({ username: 'carol' });
    admin = await logIn(site.app, 'admin');
    alice = await logIn(site.app, 'alice');
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('project_create for a category, by the superuser, with the owner as reference', async () => {
    category = await actions.createCategory(admin, 'Lab', 'alice');
    const event = await latest('project_create');
    await assertRecorded(event, { projectId: category.id, username: 'admin', description: 'create category with {owner} as owner' });
    assert.deepEqual(await refsOf(event), [userRef('owner', await userNamed('alice'))]);
    assert.deepEqual(event.extra_data, { title: 'Lab', owner: 'alice', description: 'A lab', readme: '' });
    assert.equal(event.classified, false);
  });

  it('project_create for a project in the category, by its owner', async () => {
    project = await actions.createProject(alice, category, 'Study');
    const event = await latest('project_create');
    await assertRecorded(event, { projectId: project.id, username: 'alice', description: 'create project with {owner} as owner' });
    assert.deepEqual(await refsOf(event), [userRef('owner', await userNamed('alice'))]);
    assert.deepEqual(event.extra_data, { title: 'Study', owner: 'alice', description: 'Exomes', readme: '# Read me' });
    const page = await alice.get(`/timeline/${project.sodar_uuid}`).expect(200);
    assert.match(page.text, /create project with <span class="sodar-tl-user[^>]*>alice<\/span>/, 'the list renders the owner');
  });

  it('project_update naming the changed fields', async () => {
    await actions.update(alice, project, category, { title: 'Study II', description: 'Genomes', readme: '# Read me' });
    const event = await latest('project_update');
    await assertRecorded(event, { projectId: project.id, username: 'alice', description: 'update project (title, description)' });
    assert.deepEqual(event.extra_data, { title: 'Study II', description: 'Genomes' });
    assert.deepEqual(await refsOf(event), []);
  });

  it('project_archive and project_unarchive', async () => {
    await actions.setArchived(alice, project, true);
    await assertRecorded(await latest('project_archive'), { projectId: project.id, username: 'alice', description: 'archive project' });
    await actions.setArchived(alice, project, false);
    await assertRecorded(await latest('project_unarchive'), { projectId: project.id, username: 'alice', description: 'unarchive project' });
  });

  it('role_create, role_update and role_delete with the member as reference', async () => {
    await actions.addMember(alice, project, bob, 'project guest');
    const created = await latest('role_create');
    await assertRecorded(created, { projectId: project.id, username: 'alice', description: 'create role "project guest" for {user}' });
    assert.deepEqual(await refsOf(created), [userRef('user', bob)]);
    assert.deepEqual(created.extra_data, { user: 'bob', role: 'project guest' });

    await actions.changeMember(alice, project, 'bob', 'project contributor');
    const updated = await latest('role_update');
    await assertRecorded(updated, { projectId: project.id, username: 'alice', description: 'update role to "project contributor" for {user}' });
    assert.deepEqual(await refsOf(updated), [userRef('user', bob)]);

    await actions.removeMember(alice, project, 'bob');
    const deleted = await latest('role_delete');
    await assertRecorded(deleted, { projectId: project.id, username: 'alice', description: 'delete role "project contributor" from {user}' });
    assert.deepEqual(await refsOf(deleted), [userRef('user', bob)]);
    assert.deepEqual(deleted.extra_data, { user: 'bob', role: 'project contributor' });
  });

  it('role_owner_transfer with the previous and the new owner as references', async () => {
    await actions.addMember(alice, project, carol, 'project contributor');
    // alice owns the category too: she keeps that inherited role and gives up her local one.
    await actions.transferOwner(alice, project, 'carol', '');
    const event = await latest('role_owner_transfer');
    await assertRecorded(event, { projectId: project.id, username: 'alice', description: 'transfer ownership from {prev_owner} to {new_owner}' });
    assert.deepEqual(await refsOf(event), [userRef('prev_owner', await userNamed('alice')), userRef('new_owner', carol)]);
    assert.deepEqual(event.extra_data, { prev_owner: 'alice', new_owner: 'carol' });
  });

  it('project_delete: site-wide, classified, with the local roles; the project\'s own events go with it', async () => {
    await actions.addMember(alice, project, bob, 'project viewer');
    const own = async () => (await site.db.dataSource.query('SELECT count(*)::int AS n FROM timeline_event WHERE project_id = $1', [project.id]))[0].n;
    assert.equal(await own(), 10, 'the events so far are stored on the project');
    await actions.delete(admin, project);
    assert.equal(await own(), 0);
    const event = await latest('project_delete');
    await assertRecorded(event, { projectId: null, username: 'admin', description: 'delete project {project}' });
    assert.equal(event.classified, true);
    assert.deepEqual(await refsOf(event), [{ label: 'project', name: 'Lab / Study II', object_model: 'Project', object_uuid: project.sodar_uuid }]);
    assert.deepEqual(event.extra_data, {
      title: 'Study II',
      full_title: 'Lab / Study II',
      type: 'PROJECT',
      description: 'Genomes',
      local_roles: { bob: 'project viewer', carol: 'project owner' },
    });
    const siteList = await admin.get('/timeline/site').expect(200);
    assert.match(siteList.text, /delete project <span class="sodar-tl-deleted">Lab \/ Study II<\/span>/, 'the superuser sees it with the stored name');
    const aliceList = await alice.get('/timeline/site').expect(200);
    assert.doesNotMatch(aliceList.text, /delete project/, 'classified: hidden from other users');
  });
});

describe('projectroles without the timeline backend', () => {
  let site: TestSite;

  before(async () => {
    site = await startTestSite({ env: { ENABLED_BACKEND_PLUGINS: 'example_backend_app' } });
    await site.createUser({ username: 'alice' });
    await site.createUser({ username: 'bob' });
    await site.createUser({ username: 'carol' });
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('does every change and records no event', async () => {
    assert.equal(site.registry.getBackendApi('timeline'), null);
    const actions = projectActions(site);
    const ds = site.db.dataSource;
    const admin = await logIn(site.app, 'admin');
    const alice = await logIn(site.app, 'alice');
    const roleOf = async (project: Project, username: string) =>
      (await ds.query('SELECT r.name FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id JOIN projectroles_user u ON u.id = ra.user_id WHERE ra.project_id = $1 AND u.username = $2', [project.id, username]))[0]?.name;
    const [bob, carol] = [(await ds.query("SELECT * FROM projectroles_user WHERE username = 'bob'"))[0], (await ds.query("SELECT * FROM projectroles_user WHERE username = 'carol'"))[0]];

    const category = await actions.createCategory(admin, 'Lab', 'alice');
    assert.equal(await roleOf(category, 'alice'), 'project owner');
    const project = await actions.createProject(alice, category, 'Study');
    await actions.update(alice, project, category, { title: 'Study II', description: 'Genomes', readme: '' });
    assert.equal((await actions.projectNamed('Study II'))?.description, 'Genomes');
    await actions.setArchived(alice, project, true);
    assert.equal((await actions.projectNamed('Study II')).archive, true);
    await actions.setArchived(alice, project, false);
    await actions.addMember(alice, project, bob, 'project guest');
    await actions.changeMember(alice, project, 'bob', 'project contributor');
    assert.equal(await roleOf(project, 'bob'), 'project contributor');
    await actions.removeMember(alice, project, 'bob');
    assert.equal(await roleOf(project, 'bob'), undefined);
    await actions.addMember(alice, project, carol, 'project contributor');
    await actions.transferOwner(alice, project, 'carol', '');
    assert.equal(await roleOf(project, 'carol'), 'project owner');
    assert.equal(await roleOf(project, 'alice'), undefined);
    await actions.delete(admin, project);
    assert.equal(await actions.projectNamed('Study II'), undefined);

    const [counts] = await ds.query('SELECT (SELECT count(*)::int FROM timeline_event) AS events, (SELECT count(*)::int FROM timeline_eventstatus) AS statuses');
    assert.deepEqual(counts, { events: 0, statuses: 0 });
  });
});
