/**
 * Input no handler can store gets a 400 naming the field, never a 500: texts longer than
 * their column, NUL characters, lone surrogates, deep JSON, malformed UUIDs and page
 * numbers, unknown project types. Forms show the page again with what was typed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import type { Project, User } from '../../projectroles/entities';
import { createProject } from '../../projectroles/projects';
import { csrfFrom, csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;

const TIMELINE = 'application/vnd.bihealth.sodar-core.timeline+json; version=2.0';

/** Submits the form on `path` with `fields` and its CSRF token. */
async function submit(agent: Agent, path: string, fields: Record<string, string>) {
  const page = await agent.get(path).expect(200);
  return agent.post(path).type('form').send({ ...fields, _csrf: csrfFrom(page.text) });
}

/** `{"a":{"a":...1}}` as JSON text: JSON.stringify itself overflows its stack at such depths. */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('bad input', () => {
  let site: TestSite;
  let owner: User;
  let category: Project;
  let project: Project;
  let admin: Agent;
  let ownerAgent: Agent;
  let ownerToken: string;
  const projectCount = async () => Number((await site.db.dataSource.query('SELECT count(*) AS n FROM projectroles_project'))[0].n);
  const eventCount = async () => Number((await site.db.dataSource.query('SELECT count(*) AS n FROM timeline_event'))[0].n);
  const createEvent = (body: unknown) =>
    ownerAgent.post(`/timeline/api/create/${project.sodar_uuid}`).set('Accept', TIMELINE).set('X-CSRFToken', ownerToken).send(body as object);

  before(async () => {
    site = await startTestSite();
    owner = await site.createUser({ username: 'owner' });
    category = await createProject(site.db.dataSource, { title: 'Lab', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Assay', type: 'PROJECT', parent: category, owner });
    admin = await logIn(site.app, 'admin');
    ownerAgent = await logIn(site.app, 'owner');
    ownerToken = await csrfTokenOf(ownerAgent);
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  describe('texts longer than their column', () => {
    it('refuses a description over 512 characters, keeping what was typed', async () => {
      const before = await projectCount();
      const res = await submit(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'Long', type: 'PROJECT', description: 'd'.repeat(513) });
      assert.equal(res.status, 400);
      assert.match(res.text, /description: at most 512 characters \(got 513\)/);
      assert.match(res.text, /value="Long"/, 'the title typed is shown again');
      assert.equal(await projectCount(), before);
      const update = await submit(ownerAgent, `/project/update/${project.sodar_uuid}`, { title: 'Assay', description: 'é'.repeat(600), parent: category.sodar_uuid });
      assert.equal(update.status, 400);
      assert.match(update.text, /description: at most 512 characters \(got 600\)/);
    });

    it('counts characters as PostgreSQL does, not UTF-16 units', async () => {
      // 512 emoji are 1,024 UTF-16 units but 512 characters: they fit.
      const res = await submit(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'Emoji', type: 'PROJECT', description: '🧬'.repeat(512) });
      assert.equal(res.status, 302);
    });

    it('refuses an event name over 255 characters and object names over theirs', async () => {
      const before = await eventCount();
      const res = await createEvent({ event_name: 'e'.repeat(256) });
      assert.equal(res.status, 400);
      assert.match(res.body.detail, /event_name: at most 255 characters \(got 256\)/);
      const batch = await createEvent([{ event_name: 'fine' }, { event_name: 'n'.repeat(300) }]);
      assert.equal(batch.status, 400);
      assert.match(batch.body.detail, /event_name: at most 255 characters/);
      assert.equal(await eventCount(), before);
    });

    it('refuses a user whose name is longer than its column', async () => {
      await assert.rejects(site.createUser({ username: 'longname', name: 'n'.repeat(256) }), /name: at most 255 characters/);
    });
  });

  describe('text that cannot be stored', () => {
    it('refuses NUL characters in queries, forms and JSON, naming the field', async () => {
      const autocomplete = await ownerAgent.get('/project/ajax/autocomplete/user').query({ q: 'a\u0000b' });
      assert.equal(autocomplete.status, 400);
      assert.match(autocomplete.body.detail, /q: contains a NUL character/);
      const before = await projectCount();
      const form = await submit(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'Nul\u0000title', type: 'PROJECT' });
      assert.equal(form.status, 400);
      assert.match(form.text, /title: contains a NUL character/);
      const update = await submit(ownerAgent, `/project/update/${project.sodar_uuid}`, { title: 'Assay', readme: 'x\u0000', parent: category.sodar_uuid });
      assert.equal(update.status, 400);
      const transfer = await submit(ownerAgent, `/project/members/owner/transfer/${project.sodar_uuid}`, { new_owner: 'ad\u0000min', old_owner_role: 'project guest' });
      assert.equal(transfer.status, 400);
      assert.match(transfer.text, /new_owner: contains a NUL character/);
      const event = await createEvent({ event_name: 'nul', extra_data: { deep: ['ok', 'b\u0000d'] } });
      assert.equal(event.status, 400);
      assert.match(event.body.detail, /extra_data\.deep\[1\]: contains a NUL character/);
      assert.equal(await projectCount(), before);
    });

    it('refuses lone surrogates (in values and in keys)', async () => {
      const value = await createEvent({ event_name: 'half \ud800 pair' });
      assert.equal(value.status, 400);
      assert.match(value.body.detail, /event_name: contains an unpaired UTF-16 surrogate/);
      const key = await createEvent({ event_name: 'key', extra_data: { '\udc00': 1 } });
      assert.equal(key.status, 400);
      const pair = await createEvent({ event_name: 'a whole pair 🧬' });
      assert.equal(pair.status, 201);
    });

    it('refuses extra data nested 5,000 deep, and takes 60 levels', async () => {
      const before = await eventCount();
      const deep = await ownerAgent.post(`/timeline/api/create/${project.sodar_uuid}`).set('Accept', TIMELINE).set('X-CSRFToken', ownerToken)
        .type('json').send(`{"event_name": "deep", "extra_data": ${nested(5000)}}`);
      assert.equal(deep.status, 400);
      assert.match(deep.body.detail, /body: nested more than 64 levels deep/);
      assert.equal(await eventCount(), before);
      assert.equal((await createEvent({ event_name: 'shallow', extra_data: JSON.parse(nested(60)) })).status, 201);
    });
  });

  describe('malformed references and page numbers', () => {
    it('answers parent=x on update with the form and a message', async () => {
      const res = await submit(admin, `/project/update/${project.sodar_uuid}`, { title: 'Assay', parent: 'x' });
      assert.equal(res.status, 400);
      assert.match(res.text, /parent: &#34;x&#34; is not a category&#39;s sodar_uuid|parent: "x" is not a category's sodar_uuid/);
    });

    it('refuses page=1e20, page=0 and pages past the last on every paginated list', async () => {
      const lists = [
        '/project/ajax/list',
        `/project/members/${project.sodar_uuid}`,
        `/timeline/api/list/${project.sodar_uuid}`,
        '/timeline/api/list/site',
      ];
      for (const list of lists) {
        for (const page of ['1e20', '0', '-1', '1.5', '99999999999999999999', '7']) {
          const res = await admin.get(list).query({ page }).set('Accept', list.includes('/api/') ? TIMELINE : 'text/html');
          assert.equal(res.status, 400, `${list}?page=${page}`);
          assert.match(res.text, /page: /, `${list}?page=${page} names the parameter`);
        }
        const first = await admin.get(list).query({ page: '1' }).set('Accept', list.includes('/api/') ? TIMELINE : 'text/html');
        assert.equal(first.status, 200, `${list}?page=1`);
      }
    });
  });

  describe('bodies of a type no parser reads', () => {
    it('answers the plugin switch with 400 for XML, multipart or no body, switching nothing', async () => {
      const [timeline] = await site.db.dataSource.query("SELECT sodar_uuid FROM projectroles_plugin WHERE name = 'timeline' AND plugin_type = 'backend'");
      const token = csrfFrom((await admin.get('/plugins/').expect(200)).text);
      for (const [type, body] of [['application/xml', '<enabled>false</enabled>'], ['multipart/form-data; boundary=x', '--x--\r\n'], ['text/plain', 'enabled=false']]) {
        const page = await admin.post(`/plugins/enabled/${timeline.sodar_uuid}`).set('X-CSRFToken', token).set('Content-Type', type!).send(body);
        assert.equal(page.status, 400, type);
        assert.match(page.text, /enabled: must be true or false/);
        const ajax = await admin.post(`/plugins/ajax/enabled/${timeline.sodar_uuid}`).set('X-CSRFToken', token).set('Content-Type', type!).send(body);
        assert.equal(ajax.status, 400, type);
      }
      const [row] = await site.db.dataSource.query('SELECT enabled FROM projectroles_plugin WHERE sodar_uuid = $1', [timeline.sodar_uuid]);
      assert.equal(row.enabled, true);
    });
  });

  describe('project types and category pages', () => {
    it('refuses an unknown project type, saving nothing', async () => {
      const before = await projectCount();
      const res = await submit(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'Folder', type: 'FOLDER' });
      assert.equal(res.status, 400);
      assert.match(res.text, /type: must be CATEGORY or PROJECT/);
      assert.equal(await projectCount(), before);
    });

    it('redirects archiving a category with SODAR message, on GET and POST', async () => {
      const get = await admin.get(`/project/archive/${category.sodar_uuid}`);
      assert.equal(get.status, 302);
      assert.equal(get.headers.location, `/project/${category.sodar_uuid}`);
      const detail = await admin.get(`/project/${category.sodar_uuid}`);
      assert.match(detail.text, /Setting archival is not allowed for categories\./);
    });

    it('redirects deleting a category with children home with SODAR message', async () => {
      const get = await admin.get(`/project/delete/${category.sodar_uuid}`);
      assert.equal(get.status, 302);
      assert.equal(get.headers.location, '/');
      assert.match((await admin.get('/')).text, /Deletion not allowed for category with children/);
    });

    it('names the top-level create page for what it creates', async () => {
      const page = await admin.get('/project/create').expect(200);
      assert.match(page.text, /Create top-level category/);
      assert.doesNotMatch(page.text, /category or project/);
    });

    it("shows a superuser's role as superuser", async () => {
      const page = await admin.get(`/project/${project.sodar_uuid}`).expect(200);
      assert.match(page.text, /id="sodar-project-role">superuser</);
    });
  });
});

describe('anonymous star', () => {
  let site: TestSite;
  let project: Project;

  before(async () => {
    site = await startTestSite({ env: { ALLOW_ANONYMOUS: 'true' } });
    const owner = await site.createUser({ username: 'owner' });
    const category = await createProject(site.db.dataSource, { title: 'Open', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Public', type: 'PROJECT', parent: category, owner, publicAccess: 'project guest' });
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('answers 401 as SODAR does', async () => {
    const agent = supertest.agent(site.app);
    const login = await agent.get('/login').expect(200);
    const res = await agent.post(`/project/ajax/star/${project.sodar_uuid}`).set('X-CSRFToken', csrfFrom(login.text));
    assert.equal(res.status, 401);
    assert.match(res.body.detail, /Log in to star/);
  });
});
