import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { createProject, deleteProject } from '../../projectroles/projects';
import type { AddEventInput, EventObject, TimelineAPI } from '../../timeline/api';
import type { TimelineEvent } from '../../timeline/entities';
import { logIn, startTestSite, type TestSite } from '../helpers/site';

describe('timeline event descriptions', () => {
  let site: TestSite;
  let api: TimelineAPI;
  let owner: User;
  let outsider: User;
  let subject: User;
  let category: Project;
  let project: Project;

  const userObject = (label: string, user: User): EventObject => ({ label, ref: { model: 'User', uuid: user.sodar_uuid }, name: user.username });
  const projectObject = (label: string, target: Project, name = target.title): EventObject => ({ label, ref: { model: 'Project', uuid: target.sodar_uuid }, name });
  const record = async (description: string, objects: EventObject[] = [], fields: Partial<AddEventInput> = {}): Promise<TimelineEvent> =>
    (await api.addEvent({ project, app: 'projectroles', user: owner, eventName: 'test_event', description, objects, ...fields })).event;
  const describeFor = (event: TimelineEvent, user: User | null) => api.getEventDescription(event, user);

  before(async () => {
    site = await startTestSite();
    api = site.registry.getBackendApi('timeline')!;
    owner = await site.createUser({ username: 'owner' });
    outsider = await site.createUser({ username: 'outsider' });
    subject = await site.createUser({ username: 'subject', name: 'Sub "Ject" <b>' });
    category = await createProject(site.db.dataSource, { title: 'Lab', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Study', type: 'PROJECT', parent: category, owner });
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('leaves a description without references as its (escaped) text', async () => {
    const event = await record('plain & simple');
    assert.equal(await describeFor(event, owner), 'plain &#38; simple');
  });

  it('renders a user reference as a badge with a link to the user\'s history in the project', async () => {
    const event = await record('add {user} to the study', [userObject('user', subject)]);
    const html = await describeFor(event, owner);
    assert.match(html, /^add <span class="sodar-tl-user badge[^"]*" title="Sub &#34;Ject&#34; &#60;b&#62;">subject<\/span>/);
    assert.ok(html.includes(`<a class="sodar-tl-object-link" href="/timeline/${project.sodar_uuid}/User/${subject.sodar_uuid}"`), html);
    assert.ok(html.endsWith(' to the study'));
  });

  it('renders a site-wide event\'s user reference with a link to the site-wide history', async () => {
    const event = await record('hello {user}', [userObject('user', subject)], { project: null });
    assert.ok((await describeFor(event, owner)).includes(`href="/timeline/site/User/${subject.sodar_uuid}"`));
  });

  it('renders (unknown) for a user that no longer exists', async () => {
    const gone = await site.createUser({ username: 'gone' });
    const event = await record('add {user}', [userObject('user', gone)]);
    await site.db.dataSource.query('DELETE FROM projectroles_user WHERE id = $1', [gone.id]);
    assert.equal(await describeFor(event, owner), 'add <span class="sodar-tl-unknown text-muted">(unknown)</span>');
  });

  it('links a project reference for a user who may view it, a red span without link for one who may not', async () => {
    const event = await record('move to {target}', [projectObject('target', project)]);
    assert.equal(await describeFor(event, owner), `move to <a class="sodar-tl-project-link" href="/project/${project.sodar_uuid}">Study</a>`);
    const hidden = await describeFor(event, outsider);
    assert.equal(hidden, 'move to <span class="text-danger">Study</span>');
    assert.equal((await describeFor(event, null)).includes('href="/project/'), false, 'no link for anonymous either');
  });

  it('renders the stored name of a project that was deleted', async () => {
    const doomed = await createProject(site.db.dataSource, { title: 'Doomed', type: 'PROJECT', parent: category, owner });
    const event = await record('copy from {source}', [projectObject('source', doomed, 'Lab / Doomed (stored)')]);
    await deleteProject(site.db.dataSource, doomed);
    assert.equal(await describeFor(event, owner), 'copy from <span class="sodar-tl-deleted">Lab / Doomed (stored)</span>');
  });

  it('renders (unknown) for a label without an object and for extra- labels', async () => {
    const event = await record('{nothing} and {extra-details} and {user}', [userObject('user', subject)]);
    const html = await describeFor(event, owner);
    assert.ok(html.startsWith('<span class="sodar-tl-unknown text-muted">(unknown)</span> and <span class="sodar-tl-unknown text-muted">(unknown)</span> and <span class="sodar-tl-user'), html);
  });

  it('renders a red "not found" for another model of projectroles', async () => {
    const event = await record('sync {site}', [{ label: 'site', ref: { model: 'RemoteSite', uuid: subject.sodar_uuid }, name: 'Target site' }]);
    const html = await describeFor(event, owner);
    assert.ok(html.startsWith('sync <span class="sodar-tl-not-found text-danger" title="Not found">Target site</span> <a class="sodar-tl-object-link"'), html);
  });

  it('renders "Plugin not found" for an event of an app that is not installed (any more)', async () => {
    const event = await record('did {user}', [userObject('user', subject)]);
    await site.db.dataSource.query("UPDATE timeline_event SET app = 'removed_app' WHERE id = $1", [event.id]);
    assert.equal(await describeFor({ ...event, app: 'removed_app' }, owner), '<span class="sodar-tl-plugin-error text-danger">Plugin not found: removed_app</span>');
    const viaPlugin = await record('did it', [], { plugin: '<b>ghost</b>' });
    assert.equal(await describeFor(viaPlugin, owner), '<span class="sodar-tl-plugin-error text-danger">Plugin not found: &#60;b&#62;ghost&#60;/b&#62;</span>');
  });

  it('cuts names without spaces longer than 32 characters, not names with spaces', async () => {
    const long = 'A'.repeat(40);
    const spaced = `${'word '.repeat(10)}end`;
    const longProject = await createProject(site.db.dataSource, { title: long, type: 'PROJECT', parent: category, owner });
    const spacedProject = await createProject(site.db.dataSource, { title: spaced, type: 'PROJECT', parent: category, owner });
    const event = await record('{a} {b}', [projectObject('a', longProject), projectObject('b', spacedProject)]);
    const html = await describeFor(event, owner);
    assert.ok(html.includes(`>${'A'.repeat(32)}…</a>`), html);
    assert.ok(!html.includes('A'.repeat(33)));
    assert.ok(html.includes(`>${spaced}</a>`));
  });

  describe('with text meant to run in the browser', () => {
    const SCRIPT = '<script>alert(1)</script>';
    const IMAGE = '<img src=x onerror=alert(1)>';
    let evil: Project;
    let event: TimelineEvent;

    before(async () => {
      evil = await createProject(site.db.dataSource, { title: SCRIPT, type: 'PROJECT', parent: category, owner });
      event = await record(`${IMAGE} moved {target} "quoted" 'single'`, [projectObject('target', evil)]);
    });

    const assertInert = (html: string) => {
      assert.ok(!html.includes('<script'), html);
      assert.ok(!html.includes('<img'), html);
      assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;'), html);
      assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'), html);
    };

    it('escapes the description text and the project title in the description', async () => {
      const html = await describeFor(event, owner);
      assertInert(html);
      assert.ok(html.includes('&#34;quoted&#34; &#39;single&#39;'));
      assertInert(await describeFor(event, outsider));
    });

    it('renders the project timeline page with them inert', async () => {
      const agent = await logIn(site.app, 'owner');
      const page = await agent.get(`/timeline/${project.sodar_uuid}`).expect(200);
      assert.ok(!page.text.includes(SCRIPT), 'no live script from the title');
      assert.ok(!page.text.includes(IMAGE), 'no live image from the description');
      assert.ok(page.text.includes('&#60;img src=x onerror=alert(1)&#62; moved'));
      assert.ok(page.text.includes(`href="/project/${evil.sodar_uuid}">&#60;script&#62;alert(1)&#60;/script&#62;</a>`));
    });
  });

  it('renders the description through the list rows as through the API', async () => {
    const lists = await createProject(site.db.dataSource, { title: 'Lists', type: 'PROJECT', parent: category, owner });
    const event = (await api.addEvent({ project: lists, app: 'projectroles', user: owner, eventName: 'test_event', description: 'add {user}', objects: [userObject('user', subject)] })).event;
    const [row] = await api.getProjectEvents(lists);
    assert.equal(row!.id, event.id);
    assert.equal(await describeFor(row!, owner), await describeFor(event, owner));
  });
});
