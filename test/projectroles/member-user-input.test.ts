/**
 * Add member and owner transfer take a user the same way: picked from the autocomplete
 * (its uuid in a hidden field), or typed: a uuid, a username, or a suggestion's text
 * "Name (username) <email>". A typed name is never lost, and a form shown again keeps it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import { csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;

describe('the user field of add member and owner transfer', () => {
  let site: TestSite;
  let users: Record<string, User>;
  let project: Project;
  let olga: Agent;
  let token: string;
  const roleOf = async (username: string) =>
    ((await site.db.dataSource.query(
      'SELECT r.name FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id WHERE ra.project_id = $1 AND ra.user_id = $2',
      [project.id, users[username]!.id],
    ))[0] as { name: string } | undefined)?.name;
  const addPath = () => `/project/members/create/${project.sodar_uuid}`;
  const transferPath = () => `/project/members/owner/transfer/${project.sodar_uuid}`;
  const submit = (path: string, fields: Record<string, string>) => olga.post(path).type('form').send({ ...fields, _csrf: token });

  before(async () => {
    site = await startTestSite();
    users = {};
    for (const name of ['olga', 'boss', 'xena', 'newt', 'nora', 'nick']) users[name] = await site.createUser({ username: name, name: `${name[0]!.toUpperCase()}${name.slice(1)} Person` });
    const category = await createProject(site.db.dataSource, { title: 'Dept', type: 'CATEGORY', parent: null, owner: users.boss! });
    project = await createProject(site.db.dataSource, { title: 'Study', type: 'PROJECT', parent: category, owner: users.olga! });
    await assignRole(site.db.dataSource, project, users.xena!, 'project contributor');
    olga = await logIn(site.app, 'olga');
    token = await csrfTokenOf(olga);
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('posts what was typed, and the picked uuid beside it, on both forms', async () => {
    const add = (await olga.get(addPath()).expect(200)).text;
    assert.match(add, /<input type="text"[^>]*id="id_user_search" name="user"[^>]*data-autocomplete-url="\/project\/ajax\/autocomplete\/user" data-target="id_user"/);
    assert.match(add, /<input type="hidden" name="user_uuid" id="id_user"/);
    const transfer = (await olga.get(transferPath()).expect(200)).text;
    assert.match(transfer, /<input type="text"[^>]*id="id_new_owner" name="new_owner"[^>]*data-autocomplete-url="\/project\/ajax\/autocomplete\/user" data-target="id_new_owner_uuid"/);
    assert.match(transfer, /<input type="hidden" name="new_owner_uuid" id="id_new_owner_uuid"/);
    assert.match(transfer, /id="id_new_owner_uuid_suggestions"/);
    assert.match(transfer, /<script src="\/static\/js\/user-autocomplete\.js"><\/script>/);
  });

  it('adds a member by typed username, by the suggestion text, or by the picked uuid', async () => {
    await submit(addPath(), { user: 'newt', role: 'project guest' }).expect(302);
    assert.equal(await roleOf('newt'), 'project guest');
    const suggestion = (await olga.get('/project/ajax/autocomplete/user?q=nora').expect(200)).body.results[0].text as string;
    assert.equal(suggestion, 'Nora Person (nora) <nora@example.com>');
    await submit(addPath(), { user: suggestion, role: 'project viewer' }).expect(302);
    assert.equal(await roleOf('nora'), 'project viewer');
    // The picked uuid wins over the text beside it (a display text, not a lookup).
    await submit(addPath(), { user: 'Nick Person (nick) <nick@example.com>', user_uuid: users.nick!.sodar_uuid, role: 'project contributor' }).expect(302);
    assert.equal(await roleOf('nick'), 'project contributor');
  });

  it('refuses an unknown user with a message and keeps what was typed', async () => {
    const res = await submit(addPath(), { user: 'Nobody (nobody)', role: 'project viewer' }).expect(400);
    assert.match(res.text, /id="sodar-form-error"[^>]*>user: no active user &#34;Nobody \(nobody\)&#34;/);
    assert.match(res.text, /name="user" value="Nobody \(nobody\)"/);
    assert.match(res.text, /<option value="project viewer" selected>/);
    assert.match((await submit(addPath(), { user: '', role: 'project viewer' }).expect(400)).text, /user: type a username or pick a suggestion/);
    assert.match((await submit(addPath(), { user: 'newt', user_uuid: 'not-a-uuid', role: 'project viewer' }).expect(400)).text, /already has a role/, 'a malformed picked uuid falls back to the text');
  });

  it('transfers ownership to a user named by the suggestion text', async () => {
    const res = await submit(transferPath(), { new_owner: 'Nobody (nobody)', old_owner_role: 'project guest' }).expect(400);
    assert.match(res.text, /name="new_owner" value="Nobody \(nobody\)"/);
    assert.match(res.text, /<option value="project guest" selected>/);
    await submit(transferPath(), { new_owner: 'Xena Person (xena) <xena@example.com>', old_owner_role: 'project guest' }).expect(302);
    assert.equal(await roleOf('xena'), 'project owner');
    assert.equal(await roleOf('olga'), 'project guest');
  });
});
