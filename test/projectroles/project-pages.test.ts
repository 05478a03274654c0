import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../projectroles/entities';
import { assignRole, createProject, type NewProject } from '../../projectroles/projects';
import { seedLoadProjects } from '../../projectroles/seed';
import { onFreshSite } from '../helpers/fresh-site';
import { anonymous, csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;

describe('browsing projects', () => {
  let site: TestSite;
  let owner: User;
  let guest: User;
  let category: { sodar_uuid: string };
  let project: { sodar_uuid: string };
  let ownerAgent: Agent;
  let guestAgent: Agent;

  before(async () => {
    // Long cache times: a plugin-state refresh or an expired session cache landing in one of
    // the measured requests would make the query counts differ for reasons other than data size.
    site = await startTestSite({ env: { CROSS_PROCESS_DELAY_SECONDS: '60' } });
    owner = await site.createUser({ username: 'owner' });
    guest = await site.createUser({ username: 'guest' });
    await site.createUser({ username: 'outsider' });
    const ds = site.db.dataSource;
    const make = (input: Omit<NewProject, 'owner'>) => createProject(ds, { ...input, owner });
    const c = await make({ title: 'Genomics', type: 'CATEGORY', parent: null });
    const p = await make({ title: 'Exomes', type: 'PROJECT', parent: c, readme: '# Exomes\n\n<script>alert(1)</script> [x](javascript:alert(1))' });
    await make({ title: 'Private', type: 'PROJECT', parent: c });
    await assignRole(ds, p, guest, 'project guest');
    await assignRole(ds, c, await site.createUser({ username: 'catmember' }), 'project contributor');
    category = c;
    project = p;
    ownerAgent = await logIn(site.app, 'owner');
    guestAgent = await logIn(site.app, 'guest');
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('lists what each user may see, one level at a time', async () => {
    const top = await guestAgent.get('/project/ajax/list').expect(200);
    assert.deepEqual(top.body.projects.map((p: { title: string }) => p.title), ['Genomics']);
    const inside = await guestAgent.get(`/project/ajax/list?parent=${category.sodar_uuid}`).expect(200);
    assert.deepEqual(inside.body.projects.map((p: { title: string; role: string }) => [p.title, p.role]), [['Exomes', 'project guest']]);
    const ownerView = await ownerAgent.get(`/project/ajax/list?parent=${category.sodar_uuid}`).expect(200);
    assert.deepEqual(ownerView.body.projects.map((p: { full_title: string; inherited: boolean }) => [p.full_title, p.inherited]), [['Exomes', false], ['Private', false]]);
    const outsider = await logIn(site.app, 'outsider');
    const none = await outsider.get('/project/ajax/list').expect(200);
    assert.deepEqual(none.body.projects, []);
    assert.equal(none.body.messages.no_projects, 'No projects or categories available.');
  });

  it('answers list errors as JSON: anonymous 403, project parent 400, unknown 404, denied 403', async () => {
    await anonymous(site.app).get('/project/ajax/list').expect(403);
    await guestAgent.get(`/project/ajax/list?parent=${project.sodar_uuid}`).expect(400);
    await guestAgent.get('/project/ajax/list?parent=6f1c8e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b').expect(404);
    await guestAgent.get('/project/ajax/list?parent=nope').expect(404);
    const outsider = await logIn(site.app, 'outsider');
    await outsider.get(`/project/ajax/list?parent=${category.sodar_uuid}`).expect(403);
  });

  it('shows a project with its readme rendered safely', async () => {
    const page = await guestAgent.get(`/project/${project.sodar_uuid}`).expect(200);
    assert.match(page.text, /<h1>Exomes<\/h1>/);
    assert.doesNotMatch(page.text, /<script>alert/);
    assert.match(page.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page.text, /href="javascript:/);
    assert.match(page.text, /project guest/);
  });

  it('redirects denied pages: authenticated home with a message, anonymous to login; unknown 404', async () => {
    const outsider = await logIn(site.app, 'outsider');
    await outsider.get(`/project/${project.sodar_uuid}`).expect(302).expect('Location', '/');
    assert.match((await outsider.get('/').expect(200)).text, /User not authorized for requested action/);
    await anonymous(site.app).get(`/project/${project.sodar_uuid}`).expect(302).expect('Location', `/login?next=${encodeURIComponent(`/project/${project.sodar_uuid}`)}`);
    await guestAgent.get('/project/6f1c8e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b').expect(404);
    await guestAgent.get('/project/not-a-uuid').expect(404);
  });

  it('lists members with inherited roles', async () => {
    const page = await guestAgent.get(`/project/members/${project.sodar_uuid}`).expect(200);
    const rows = [...page.text.matchAll(/<tr data-user="(\w+)">[\s\S]*?<\/tr>/g)].map((m) => [m[1], /\(inherited from Genomics\)/.test(m[0])]);
    assert.deepEqual(rows, [['owner', false], ['catmember', true], ['guest', false]], 'by rank, inherited marked');
    assert.match(page.text, /id="sodar-member-count">3</);
  });

  it('stars and unstars a project, and lists starred ones only on request', async () => {
    const token = await csrfTokenOf(guestAgent);
    await guestAgent.post(`/project/ajax/star/${project.sodar_uuid}`).set('X-CSRFToken', token).expect(200, '1');
    const starred = await guestAgent.get(`/project/ajax/list?parent=${category.sodar_uuid}&starred=1`).expect(200);
    assert.deepEqual(starred.body.projects.map((p: { starred: boolean }) => p.starred), [true]);
    await guestAgent.post(`/project/ajax/star/${project.sodar_uuid}`).set('X-CSRFToken', token).expect(200, '0');
    await guestAgent.post(`/project/ajax/star/${project.sodar_uuid}`).expect(403);
    const outsider = await logIn(site.app, 'outsider');
    await outsider.post(`/project/ajax/star/${project.sodar_uuid}`).set('X-CSRFToken', await csrfTokenOf(outsider)).expect(403);
  });

  it('costs the same statements with 100 and with 5,000 projects, warm and cold', async () => {
    const paths = {
      'home list': '/project/ajax/list',
      'category list': `/project/ajax/list?parent=${category.sodar_uuid}`,
      'project detail': `/project/${project.sodar_uuid}`,
      members: `/project/members/${project.sodar_uuid}`,
    };
    // Warm: the second of two requests (the first fills the caches); cold: on a site that
    // reads sessions and users on every request. Each pass on a site of its own (onFreshSite).
    const countsOn = (cacheSeconds: number) =>
      onFreshSite(site, cacheSeconds, async (fresh) => {
        const agent = await logIn(fresh.app, 'owner');
        const result: Record<string, number> = {};
        for (const [name, path] of Object.entries(paths)) {
          await agent.get(path).expect(200);
          result[name] = Number((await agent.get(path).expect(200)).headers['x-query-count']);
        }
        return result;
      });
    const counts = async () => ({ warm: await countsOn(60), cold: await countsOn(0) });
    await seedLoadProjects(site.db.dataSource, { categories: 10, projects: 100, ownerId: owner.id });
    const small = await counts();
    await seedLoadProjects(site.db.dataSource, { categories: 10, projects: 5000, ownerId: owner.id });
    const [row] = await site.db.dataSource.query("SELECT count(*) AS n FROM projectroles_project WHERE type = 'PROJECT'");
    assert.ok(row.n >= 5000);
    const large = await counts();
    // Every statement sent: the lists' tree query goes between two plan-mode SETs
    // (statement-plans.ts); cold adds the session, the user and the user's settings (page
    // size, starred-only, the user menu; cached with the user); the plugin states and SITE
    // settings are re-read in the background, outside the request.
    const expected = {
      warm: { 'home list': 3, 'category list': 4, 'project detail': 2, members: 2 },
      cold: { 'home list': 6, 'category list': 7, 'project detail': 5, members: 5 },
    };
    assert.deepEqual(small, expected);
    assert.deepEqual(large, expected);
  });
});
