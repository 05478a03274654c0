import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { createTestDatabase, type TestDatabaseLocation } from '../helpers/database';
import { csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';
import { scratchDir } from '../helpers/scratch';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'plugins');

/** A temporary PLUGIN_DIRS folder holding copies of fixture plugins (hello_dropin by default) and any extra folders. */
function pluginDir(extra: Record<string, string> = {}, fixtures = ['hello_dropin']): string {
  const dir = scratchDir('sodar-plugins-');
  for (const fixture of fixtures) fs.cpSync(path.join(FIXTURES, fixture), path.join(dir, fixture), { recursive: true });
  for (const [folder, source] of Object.entries(extra)) {
    fs.mkdirSync(path.join(dir, folder));
    fs.writeFileSync(path.join(dir, folder, 'plugin.js'), source);
  }
  return dir;
}

const BROKEN_AT_LOAD = "throw new Error('syntax of the universe is broken');";
const BROKEN_AT_START = `
module.exports = class BrokenStart {
  static pluginType = 'backend';
  name = 'broken_start'; title = 'Broken start'; icon = 'bug'; description = '';
  urls = [{ name: 'ping', method: 'get', path: '/ping', kind: 'ajax', permission: null, handler: (req, res) => res.json({ pong: true }) }];
  getApi() { return {}; }
  onStart() { throw new Error('license server unreachable'); }
};`;

/** A site app whose only fault is its name. */
const lookalike = (name: string) => `
module.exports = class Lookalike {
  static pluginType = 'site_app';
  name = '${name}'; title = 'Lookalike'; icon = 'clone'; description = ''; entryPoint = 'index'; appPermission = null;
  urls = [{ name: 'index', method: 'get', path: '/', kind: 'page', handler: (req, res) => res.send('lookalike') }];
};`;

describe('drop-in plugins', () => {
  const dirs: string[] = [];
  const newDir = (extra?: Record<string, string>, fixtures?: string[]) => {
    const dir = pluginDir(extra, fixtures);
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('a working drop-in', () => {
    let site: TestSite;
    before(async () => {
      site = await startTestSite({ env: { PLUGIN_DIRS: newDir(), PLUGIN_CONFIG: JSON.stringify({ hello_dropin: { greeting: 'Howdy' } }) } });
      await site.createUser({ username: 'alice' });
      await site.createUser({ username: 'blocked' });
    });
    after(async () => {
      await site.close();
      await site.location.remove();
    });

    it('is listed with its folder as source', async () => {
      const admin = await logIn(site.app, 'admin');
      const res = await admin.get('/plugins/ajax/list').expect(200);
      const plugin = res.body.plugins.find((p: { name: string }) => p.name === 'hello_dropin');
      assert.equal(plugin.type, 'backend');
      assert.equal(plugin.state, 'ok');
      assert.equal(plugin.source, path.join(dirs[0]!, 'hello_dropin'));
      assert.deepEqual(plugin.routes, ['GET /hello_dropin/', 'GET /hello_dropin/ajax/greet', 'POST /hello_dropin/ajax/notes', 'GET /hello_dropin/ajax/notes/:note', 'GET /hello_dropin/ajax/context']);
    });

    it('is mounted and callable, with its config section, rules, table and template', async () => {
      const alice = await logIn(site.app, 'alice');
      const greet = await alice.get('/hello_dropin/ajax/greet').expect(200);
      assert.equal(greet.body.greeting, 'Howdy, alice, from a drop-in plugin');
      const token = await csrfTokenOf(alice);
      const created = await alice.post('/hello_dropin/ajax/notes').set('X-CSRFToken', token).send({ text: 'first note' }).expect(201);
      const note = await alice.get(`/hello_dropin/ajax/notes/${created.body.sodar_uuid}`).expect(200);
      assert.equal(note.body.text, 'first note');
      const [row] = await site.db.dataSource.query('SELECT count(*) AS n FROM hello_dropin_note');
      assert.equal(row.n, 1, 'the plugin migration created its table');
      await alice.post('/hello_dropin/ajax/notes').set('X-CSRFToken', token).send({}).expect(400, { detail: 'text: required' });
      await alice.get('/hello_dropin/ajax/notes/12345').expect(404);
      const page = await alice.get('/hello_dropin/').expect(200);
      assert.match(page.text, /Hello from a drop-in plugin's own template/);
      assert.match(page.text, /navbar/, 'rendered inside the site layout');
      await alice.get('/static/plugins/hello_dropin/hello.css').expect(200);
    });

    it('gives each route handler its context as req.plugin: config section and data source', async () => {
      const alice = await logIn(site.app, 'alice');
      const [row] = await site.db.dataSource.query('SELECT count(*) AS n FROM hello_dropin_note');
      const res = await alice.get('/hello_dropin/ajax/context').expect(200);
      assert.deepEqual(res.body, { config: { greeting: 'Howdy' }, notes: Number(row.n), sameAsOnStart: true });
    });

    it('applies its own rule: a user it denies gets 403', async () => {
      const blocked = await logIn(site.app, 'blocked');
      await blocked.get('/hello_dropin/ajax/greet').expect(403);
      await supertest(site.app).get('/hello_dropin/ajax/greet').expect(403);
    });

    it('offers its API to other plugins through the registry', () => {
      const api = site.registry.getAppPlugin('hello_dropin', 'backend') as unknown as { getApi(): { greet(name: string): { greeting: string } } };
      assert.equal(api.getApi().greet('bob').greeting, 'Howdy, bob, from a drop-in plugin');
    });
  });

  describe('a broken drop-in', () => {
    let location: TestDatabaseLocation;
    before(async () => {
      location = await createTestDatabase();
    });
    after(async () => location.remove());

    it('stops start-up, naming its folder, when it fails to load', async () => {
      const dir = newDir({ broken_load: BROKEN_AT_LOAD });
      await assert.rejects(startTestSite({ location, env: { PLUGIN_DIRS: dir } }), (error: Error) => {
        assert.equal(error.message, `Drop-in plugin in ${path.join(dir, 'broken_load')}: plugin.js failed to load: syntax of the universe is broken`);
        return true;
      });
    });

    it('stops start-up, naming the plugin, when its start fails', async () => {
      const dir = newDir({ broken_start: BROKEN_AT_START });
      await assert.rejects(startTestSite({ location, env: { PLUGIN_DIRS: dir } }), /Plugin 'broken_start' \(BrokenStart, .*broken_start\) failed to start: license server unreachable/);
    });

    it('stops start-up, naming its folder and the built-in app, when it takes a built-in name', async () => {
      const dir = newDir({}, ['timeline']);
      await assert.rejects(startTestSite({ location, env: { PLUGIN_DIRS: dir } }), (error: Error) => {
        const folder = path.join(dir, 'timeline');
        assert.equal(error.message, `Drop-in plugin in ${folder}: Plugin class TimelineLookalike (${folder}): name "timeline" is already taken by the backend plugin TimelineBackendPlugin (built in)`);
        return true;
      });
    });

    it("stops start-up when it takes another drop-in's name or a reserved name", async () => {
      const dir = newDir({ z_second_hello: lookalike('hello_dropin'), z_api: lookalike('api') });
      await assert.rejects(
        startTestSite({ location, env: { PLUGIN_DIRS: dir } }),
        new RegExp(`^PluginLoadError: Drop-in plugin in ${path.join(dir, 'z_api')}: Plugin class Lookalike .*: name "api" is reserved: kept for the site-wide REST API`),
      );
      fs.rmSync(path.join(dir, 'z_api'), { recursive: true });
      await assert.rejects(startTestSite({ location, env: { PLUGIN_DIRS: dir } }), (error: Error) => {
        const where = `${path.join(dir, 'z_second_hello')}: Plugin class Lookalike (${path.join(dir, 'z_second_hello')})`;
        assert.equal(error.message, `Drop-in plugin in ${where}: name "hello_dropin" is already taken by the backend plugin HelloDropInPlugin (in ${path.join(dir, 'hello_dropin')})`);
        return true;
      });
    });

    it('lists a clashing drop-in as failed under PLUGIN_BOOT_FAILURE=continue, and the built-in keeps its name', async () => {
      const dir = newDir({}, ['timeline']);
      const site = await startTestSite({ location, env: { PLUGIN_DIRS: dir, PLUGIN_BOOT_FAILURE: 'continue' } });
      try {
        const admin = await logIn(site.app, 'admin');
        const list = await admin.get('/plugins/ajax/list').expect(200);
        assert.deepEqual(list.body.load_failures.map((f: { folder: string }) => f.folder), [path.join(dir, 'timeline')]);
        assert.match(list.body.load_failures[0].error, /name "timeline" is already taken by the backend plugin TimelineBackendPlugin/);
        assert.ok(!site.registry.all().some((entry) => entry.origin.source === path.join(dir, 'timeline')));
        await admin.get('/timeline/site').expect(200);
      } finally {
        await site.close();
      }
    });

    it('shows as failed under PLUGIN_BOOT_FAILURE=continue while the rest works', async () => {
      const dir = newDir({ broken_load: BROKEN_AT_LOAD, broken_start: BROKEN_AT_START });
      const site = await startTestSite({ location, env: { PLUGIN_DIRS: dir, PLUGIN_BOOT_FAILURE: 'continue' } });
      try {
        const admin = await logIn(site.app, 'admin');
        const list = await admin.get('/plugins/ajax/list').expect(200);
        const broken = list.body.plugins.find((p: { name: string }) => p.name === 'broken_start');
        assert.equal(broken.state, 'failed');
        assert.equal(broken.error, 'license server unreachable');
        assert.deepEqual(list.body.load_failures, [{ folder: path.join(dir, 'broken_load'), error: `Drop-in plugin in ${path.join(dir, 'broken_load')}: plugin.js failed to load: syntax of the universe is broken` }]);
        await admin.get('/broken_start/ajax/ping').expect(404);
        await admin.get('/hello_dropin/ajax/greet').expect(200);
        const page = await admin.get('/plugins/').expect(200);
        assert.match(page.text, /license server unreachable/);
        assert.match(page.text, /syntax of the universe is broken/);
      } finally {
        await site.close();
      }
    });
  });
});
