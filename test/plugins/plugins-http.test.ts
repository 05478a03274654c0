import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { serverUrl } from '../helpers/database';
import { csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = ReturnType<typeof supertest.agent>;

async function pluginUuid(agent: Agent, name: string): Promise<string> {
  const res = await agent.get('/plugins/ajax/list').expect(200);
  const plugin = (res.body.plugins as Array<{ name: string; sodar_uuid: string }>).find((p) => p.name === name);
  assert.ok(plugin, `${name} is listed`);
  return plugin.sodar_uuid;
}

async function waitForStatus(agent: Agent, path: string, status: number, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const res = await agent.get(path);
    if (res.status === status) return Date.now() - started;
    if (Date.now() - started > withinMs) assert.fail(`${path} still answers ${res.status} after ${withinMs} ms, expected ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('plugins over HTTP', () => {
  let site: TestSite;
  let second: TestSite;
  let admin: Agent;
  let adminToken: string;

  before(async () => {
    // The first instance is a demo site: the example backend app shows its greeting card.
    site = await startTestSite({ env: { PLUGIN_CONFIG: JSON.stringify({ example_backend_app: { showGreeting: true } }) } });
    // A second app instance on the same database, configured as a real site (no greeting):
    // on PostgreSQL with its own connections; the embedded database admits one process, so
    // there the two share the connection but keep their own registries, which is what
    // carries the enabled state.
    second = await startTestSite({ location: site.location, sharedWith: serverUrl ? undefined : site });
    await site.createUser({ username: 'alice' });
    admin = await logIn(site.app, 'admin');
    adminToken = await csrfTokenOf(admin);
  });
  after(async () => {
    await second.close();
    await site.close();
    await site.location.remove();
  });

  it('serves the example Ajax endpoint with the greeting, the caller uuid and its setting read from req.plugin', async () => {
    const alice = await logIn(site.app, 'alice');
    const res = await alice.get('/example_backend_app/ajax/hello').expect(200).expect('Content-Type', /json/);
    assert.match(res.body.greeting, /^Hello world from example_backend_app! \(options: \{"user":"alice"\}\)$/);
    const [row] = await site.db.dataSource.query("SELECT sodar_uuid FROM projectroles_user WHERE username = 'alice'");
    assert.equal(res.body.user, row.sodar_uuid);
    assert.equal(res.body.show_greeting, true);
    const onRealSite = await (await logIn(second.app, 'alice')).get('/example_backend_app/ajax/hello').expect(200);
    assert.equal(onRealSite.body.show_greeting, false);
  });

  it('shows no greeting card on a site that did not turn it on (the default), to anyone', async () => {
    for (const username of ['admin', 'alice']) {
      const home = await (await logIn(second.app, username)).get('/').expect(200);
      assert.match(home.text, /id="sodar-project-list"/);
      assert.doesNotMatch(home.text, /sodar-example-backend-card|Hello world from example_backend_app|greeting\.js/);
    }
  });

  it('shows the greeting on the home page of a demo site (showGreeting) with the backend JS and CSS included', async () => {
    const home = await admin.get('/').expect(200);
    assert.match(home.text, /Hello world from example_backend_app! \(options: \{&#34;hello&#34;:&#34;world&#34;\}\)/);
    assert.match(home.text, /<script src="\/static\/plugins\/example_backend_app\/js\/greeting.js"><\/script>/);
    assert.match(home.text, /<link rel="stylesheet" href="\/static\/plugins\/example_backend_app\/css\/greeting.css">/);
    await admin.get('/static/plugins/example_backend_app/js/greeting.js').expect(200).expect('Content-Type', /javascript/);
  });

  it('answers Ajax errors as JSON: anonymous 403, denied 403, malformed UUID 404, bad input 400', async () => {
    const anonymous = await supertest(site.app).get('/example_backend_app/ajax/hello').expect(403).expect('Content-Type', /json/);
    assert.equal(anonymous.body.detail, 'Authentication required.');
    const alice = await logIn(site.app, 'alice');
    const denied = await alice.get('/plugins/ajax/list').expect(403).expect('Content-Type', /json/);
    assert.match(denied.body.detail, /not authorized/);
    const malformed = await admin.post('/plugins/ajax/enabled/not-a-uuid').set('X-CSRFToken', adminToken).send({ enabled: false }).expect(404);
    assert.match(malformed.body.detail, /not a valid UUID/);
    const uuid = await pluginUuid(admin, 'example_backend_app');
    const bad = await admin.post(`/plugins/ajax/enabled/${uuid}`).set('X-CSRFToken', adminToken).send({ enabled: 'no' }).expect(400);
    assert.equal(bad.body.detail, 'enabled: must be true or false');
    const unknown = await admin.post('/plugins/ajax/enabled/6f1c8e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b').set('X-CSRFToken', adminToken).send({ enabled: false }).expect(404);
    assert.match(unknown.body.detail, /No plugin/);
    await admin.post(`/plugins/ajax/enabled/${uuid}`).send({ enabled: false }).expect(403);
  });

  it('lists the plugins page in the user menu of superusers only', async () => {
    const home = await admin.get('/').expect(200);
    assert.match(home.text, /<a class="dropdown-item" href="\/plugins\/" data-site-app="plugins">/);
    const alice = await logIn(site.app, 'alice');
    assert.doesNotMatch((await alice.get('/').expect(200)).text, /data-site-app="plugins"/);
  });

  it('redirects a denied page request home and an anonymous one to login', async () => {
    const alice = await logIn(site.app, 'alice');
    await alice.get('/plugins/').expect(302).expect('Location', '/');
    await supertest(site.app).get('/plugins/').expect(302).expect('Location', '/login?next=%2Fplugins%2F');
  });

  it('refuses to disable a core plugin', async () => {
    const uuid = await pluginUuid(admin, 'plugins');
    const res = await admin.post(`/plugins/ajax/enabled/${uuid}`).set('X-CSRFToken', adminToken).send({ enabled: false }).expect(400);
    assert.match(res.body.detail, /core plugin cannot be disabled/);
  });

  it('disables a plugin at run time on both instances within 5 s, and re-enables it', async () => {
    const alice1 = await logIn(site.app, 'alice');
    const alice2 = await logIn(second.app, 'alice');
    await alice2.get('/example_backend_app/ajax/hello').expect(200);
    const uuid = await pluginUuid(admin, 'example_backend_app');

    await admin.post(`/plugins/ajax/enabled/${uuid}`).set('X-CSRFToken', adminToken).send({ enabled: false }).expect(200, { sodar_uuid: uuid, name: 'example_backend_app', type: 'backend', enabled: false });
    await alice1.get('/example_backend_app/ajax/hello').expect(404);
    assert.equal(site.registry.getBackendApi('example_backend_app'), null);
    const disabledAfter = await waitForStatus(alice2, '/example_backend_app/ajax/hello', 404, 5000);
    assert.equal(second.registry.getBackendApi('example_backend_app'), null);
    const home = await admin.get('/').expect(200);
    assert.doesNotMatch(home.text, /greeting.js/, 'no backend include for a disabled plugin');

    await admin.post(`/plugins/ajax/enabled/${uuid}`).set('X-CSRFToken', adminToken).send({ enabled: true }).expect(200);
    await alice1.get('/example_backend_app/ajax/hello').expect(200);
    const enabledAfter = await waitForStatus(alice2, '/example_backend_app/ajax/hello', 200, 5000);
    assert.ok(second.registry.getBackendApi('example_backend_app'));
    assert.ok(disabledAfter < 5000 && enabledAfter < 5000);
  });

  it('switches a plugin from the plugins page form', async () => {
    const page = await admin.get('/plugins/').expect(200);
    assert.match(page.text, /Example Backend App/);
    assert.match(page.text, /Backend example: <strong>true<\/strong>/);
    assert.match(page.text, /GET \/example_backend_app\/ajax\/hello/);
    const uuid = await pluginUuid(admin, 'example_backend_app');
    await admin.post(`/plugins/enabled/${uuid}`).type('form').send({ enabled: 'false', _csrf: adminToken }).expect(302).expect('Location', '/plugins/');
    const after = await admin.get('/plugins/').expect(200);
    assert.match(after.text, /Plugin example_backend_app disabled\./);
    assert.match(after.text, /inactive/);
    await admin.post(`/plugins/enabled/${uuid}`).type('form').send({ enabled: 'true', _csrf: adminToken }).expect(302);
  });

  it('lists plugins as JSON with type, source, routes, state and statistics', async () => {
    const res = await admin.get('/plugins/ajax/list').expect(200);
    const example = res.body.plugins.find((p: { name: string }) => p.name === 'example_backend_app');
    assert.deepEqual(
      { ...example, sodar_uuid: typeof example.sodar_uuid },
      {
        sodar_uuid: 'string',
        name: 'example_backend_app',
        type: 'backend',
        title: 'Example Backend App',
        icon: 'code',
        description: 'Example Backend API',
        source: 'built in',
        routes: ['GET /example_backend_app/ajax/hello'],
        enabled: true,
        core: false,
        active: true,
        state: 'ok',
        error: null,
        statistics: { backend_example_stat: { label: 'Backend example', value: true } },
      },
    );
  });
});
