import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import { anonymous, csrfFrom, logIn, startTestSite, type TestSite } from '../helpers/site';
import { scratchDir } from '../helpers/scratch';

type Agent = Awaited<ReturnType<typeof logIn>>;

async function submit(agent: Agent, path: string, fields: Record<string, string>) {
  const page = await agent.get(path).expect(200);
  return agent.post(path).type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
}

describe('member management', () => {
  let site: TestSite;
  let pluginDir: string;
  let users: Record<string, User>;
  let category: Project;
  let project: Project;
  let agents: Record<string, Agent>;
  const roleOf = async (username: string, target: Project = project) =>
    (await site.db.dataSource.query(
      `SELECT r.name, ra.sodar_uuid FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id
       JOIN projectroles_user u ON u.id = ra.user_id WHERE ra.project_id = $1 AND u.username = $2`,
      [target.id, username],
    ))[0] as { name: string; sodar_uuid: string } | undefined;
  const eventCount = async (eventName: string) =>
    Number((await site.db.dataSource.query('SELECT count(*) AS n FROM timeline_event WHERE project_id = $1 AND event_name = $2', [project.id, eventName]))[0].n);
  const refuser = () => site.registry.getAppPlugin('hook_refuser', 'backend') as unknown as { refuse: Set<string> };
  const recorder = () => site.registry.getAppPlugin('hook_recorder', 'backend') as unknown as { calls: string[] };

  before(async () => {
    pluginDir = scratchDir('sodar-hooks-');
    fs.cpSync(path.join(__dirname, '..', 'fixtures', 'plugins', 'modify_hooks'), path.join(pluginDir, 'modify_hooks'), { recursive: true });
    site = await startTestSite({ env: { PLUGIN_DIRS: pluginDir } });
    users = {};
    for (const name of ['owner', 'delegate', 'member', 'newbie', 'catguest', 'outsider']) users[name] = await site.createUser({ username: name, name: `${name} person` });
    const ds = site.db.dataSource;
    category = await createProject(ds, { title: 'Dept', type: 'CATEGORY', parent: null, owner: users.owner! });
    project = await createProject(ds, { title: 'Study', type: 'PROJECT', parent: category, owner: users.owner! });
    await assignRole(ds, project, users.delegate!, 'project delegate');
    await assignRole(ds, project, users.member!, 'project contributor');
    await assignRole(ds, category, users.catguest!, 'project contributor');
    agents = {};
    for (const name of ['owner', 'delegate', 'member', 'outsider']) agents[name] = await logIn(site.app, name);
  });
  after(async () => {
    await site.close();
    await site.location.remove();
    fs.rmSync(pluginDir, { recursive: true, force: true });
  });

  it('suggests users for the autocomplete, to logged-in users only', async () => {
    const res = await agents.delegate!.get('/project/ajax/autocomplete/user?q=newb').expect(200);
    assert.deepEqual(res.body.results, [{ id: users.newbie!.sodar_uuid, text: 'newbie person (newbie) <newbie@example.com>' }]);
    await anonymous(site.app).get('/project/ajax/autocomplete/user?q=newb').expect(403);
    const wildcard = await agents.delegate!.get('/project/ajax/autocomplete/user?q=%25').expect(200);
    assert.deepEqual(wildcard.body.results, [], 'a % in the query is a literal, not a wildcard');
  });

  it('lets a delegate add a guest, but not a delegate; an outsider nothing', async () => {
    const res = await submit(agents.delegate!, `/project/members/create/${project.sodar_uuid}`, { user: users.newbie!.sodar_uuid, role: 'project guest' });
    assert.equal(res.status, 302);
    assert.equal((await roleOf('newbie'))?.name, 'project guest');
    const members = await agents.delegate!.get(`/project/members/${project.sodar_uuid}`).expect(200);
    assert.match(members.text, /data-user="newbie"/);
    const page = await agents.delegate!.get(`/project/members/create/${project.sodar_uuid}`).expect(200);
    assert.doesNotMatch(page.text, /value="project delegate"/, 'delegates are not offered to a delegate');
    await agents.delegate!.post(`/project/members/create/${project.sodar_uuid}`).type('form').send({ user: users.outsider!.sodar_uuid, role: 'project delegate', _csrf: csrfFrom(page.text) }).expect(302).expect('Location', '/');
    await agents.outsider!.get(`/project/members/create/${project.sodar_uuid}`).expect(302).expect('Location', '/');
  });

  it('refuses with 400: a second local role, an owner role, a finder in a project, demoting an inherited role', async () => {
    const path = `/project/members/create/${project.sodar_uuid}`;
    assert.match((await submit(agents.owner!, path, { user: users.member!.sodar_uuid, role: 'project guest' })).text, /already has a role in this project/);
    assert.equal((await submit(agents.owner!, path, { user: users.outsider!.sodar_uuid, role: 'project owner' })).status, 400);
    assert.match((await submit(agents.owner!, path, { user: users.outsider!.sodar_uuid, role: 'project finder' })).text, /Invalid project type &#34;PROJECT&#34; for role &#34;project finder&#34;/);
    assert.match((await submit(agents.owner!, path, { user: users.catguest!.sodar_uuid, role: 'project guest' })).text, /demoting from an inherited role is not allowed/);
    assert.match((await submit(agents.owner!, path, { user: users.outsider!.sodar_uuid, role: 'project delegate' })).text, /limit of 1 local delegate/);
    assert.equal((await submit(agents.owner!, path, { user: 'nobody-here', role: 'project guest' })).status, 400);
  });

  it('changes and removes roles; the owner assignment is untouchable there', async () => {
    const newbie = (await roleOf('newbie'))!;
    await submit(agents.delegate!, `/project/members/update/${newbie.sodar_uuid}`, { role: 'project contributor' });
    assert.equal((await roleOf('newbie'))?.name, 'project contributor');
    const owner = (await roleOf('owner'))!;
    await agents.owner!.get(`/project/members/update/${owner.sodar_uuid}`).expect(302).expect('Location', '/');
    await agents.owner!.get(`/project/members/delete/${owner.sodar_uuid}`).expect(302).expect('Location', '/');
    const delegate = (await roleOf('delegate'))!;
    await agents.delegate!.get(`/project/members/delete/${delegate.sodar_uuid}`).expect(302).expect('Location', '/');
    await submit(agents.delegate!, `/project/members/delete/${newbie.sodar_uuid}`, {});
    assert.equal(await roleOf('newbie'), undefined);
    await agents.owner!.get('/project/members/update/not-a-uuid').expect(404);
  });

  it('lets a member leave, but not the owner', async () => {
    const member = (await roleOf('member'))!;
    await agents.owner!.get(`/project/members/delete/own/${member.sodar_uuid}`).expect(302).expect('Location', '/');
    await submit(agents.member!, `/project/members/delete/own/${member.sodar_uuid}`, {});
    assert.equal(await roleOf('member'), undefined);
    const owner = (await roleOf('owner'))!;
    await agents.owner!.get(`/project/members/delete/own/${owner.sodar_uuid}`).expect(302).expect('Location', '/');
  });

  it('keeps a member when a hook fails during removal, and reverts the earlier hook', async () => {
    await assignRole(site.db.dataSource, project, users.newbie!, 'project guest');
    const newbie = (await roleOf('newbie'))!;
    const deleteEvents = await eventCount('role_delete');
    refuser().refuse.add('RoleDelete');
    recorder().calls.length = 0;
    try {
      const res = await submit(agents.owner!, `/project/members/delete/${newbie.sodar_uuid}`, {});
      assert.equal(res.status, 500);
      assert.match(res.text, /Plugin &#39;hook_refuser&#39; failed in performRoleDelete/);
    } finally {
      refuser().refuse.clear();
    }
    assert.equal((await roleOf('newbie'))?.name, 'project guest', 'still a member');
    assert.equal(await eventCount('role_delete'), deleteEvents, 'its timeline event rolled back with it');
    assert.deepEqual(recorder().calls, ['performRoleDelete DELETE', 'revertRoleDelete DELETE']);
  });

  it('promotes an inherited role to a stronger local one, never to a weaker one', async () => {
    await assignRole(site.db.dataSource, category, await site.createUser({ username: 'catviewer' }), 'project viewer');
    const inherited = (await roleOf('catviewer', category))!;
    const path = `/project/members/promote/${project.sodar_uuid}/assignment/${inherited.sodar_uuid}`;
    const form = await agents.owner!.get(path).expect(200);
    assert.doesNotMatch(form.text, /value="project viewer"/, 'no same or weaker role offered');
    assert.equal((await submit(agents.owner!, path, { role: 'project viewer' })).status, 400);
    assert.match((await submit(agents.owner!, path, { role: 'project delegate' })).text, /limit of 1 local delegate/);
    await submit(agents.owner!, path, { role: 'project guest' });
    assert.equal((await roleOf('catviewer'))?.name, 'project guest');
    await agents.owner!.get(`/project/members/promote/${project.sodar_uuid}/assignment/${(await roleOf('owner'))!.sodar_uuid}`).expect(404);
    await agents.outsider!.get(path).expect(302).expect('Location', '/');
  });

  it('transfers ownership atomically, and not to a stranger', async () => {
    const path = `/project/members/owner/transfer/${project.sodar_uuid}`;
    await agents.delegate!.get(path).expect(302).expect('Location', '/');
    assert.match((await submit(agents.owner!, path, { new_owner: 'outsider', old_owner_role: 'project contributor' })).text, /outsider has no role in this project/);

    // The owner also owns Dept, so a weaker local role would demote an inherited one.
    assert.match((await submit(agents.owner!, path, { new_owner: 'delegate', old_owner_role: 'project contributor' })).text, /demoting from an inherited role is not allowed/);

    const transferEvents = await eventCount('role_owner_transfer');
    refuser().refuse.add('OwnerTransfer');
    try {
      assert.equal((await submit(agents.owner!, path, { new_owner: 'delegate', old_owner_role: '' })).status, 500);
    } finally {
      refuser().refuse.clear();
    }
    assert.equal((await roleOf('owner'))?.name, 'project owner', 'nothing changed');
    assert.equal((await roleOf('delegate'))?.name, 'project delegate');
    assert.equal(await eventCount('role_owner_transfer'), transferEvents, 'no timeline event either');

    const res = await submit(agents.owner!, path, { new_owner: 'delegate', old_owner_role: '' });
    assert.equal(res.status, 302);
    assert.equal((await roleOf('delegate'))?.name, 'project owner');
    assert.equal(await roleOf('owner'), undefined, 'no local role left; the Dept ownership still reaches the project');
    assert.equal(await eventCount('role_owner_transfer'), transferEvents + 1, 'the transfer is in the timeline');
  });
});
