/**
 * The userprofile app over HTTP on the real database: the profile page, the settings form
 * (valid, invalid, denied in read-only mode, superuser-only settings marked [HIDDEN], a
 * secret never echoed), and the profile's statement count at two sizes of stored settings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import type { User } from '../../projectroles/entities';
import { scratchDir } from '../helpers/scratch';
import { anonymous, csrfFrom, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;

const SECRET = 'hunter2-very-secret';

/** PLUGIN_DIRS with the user_prefs fixture (40 USER settings and a secret one) and any extra plugin folders. */
function pluginDir(extra: Record<string, string> = {}): string {
  const dir = scratchDir('sodar-userprofile-');
  fs.cpSync(path.join(__dirname, '..', 'fixtures', 'plugins', 'user_prefs'), path.join(dir, 'user_prefs'), { recursive: true });
  for (const [folder, source] of Object.entries(extra)) {
    fs.mkdirSync(path.join(dir, folder));
    fs.writeFileSync(path.join(dir, folder, 'plugin.js'), source);
  }
  return dir;
}

describe('userprofile', { timeout: 120_000 }, () => {
  let site: TestSite;
  let alice: User;
  let aliceAgent: Agent;

  const settingsPage = async (agent: Agent) => (await agent.get('/user/settings/update').expect(200)).text;
  const postSettings = async (agent: Agent, fields: Record<string, string>) =>
    agent.post('/user/settings/update').type('form').send({ _csrf: csrfFrom(await settingsPage(agent)), ...fields });

  before(async () => {
    site = await startTestSite({ env: { PLUGIN_DIRS: pluginDir() } });
    alice = await site.createUser({ username: 'alice', name: 'Alice Example' });
    aliceAgent = await logIn(site.app, 'alice');
  });
  after(async () => {
    await site.settings.set('projectroles', 'site_read_only', false);
    await site.close();
    await site.location.remove();
  });

  it('shows the user details and the current settings', async () => {
    const page = (await aliceAgent.get('/user/profile').expect(200)).text;
    assert.match(page, /User Details/);
    assert.match(page, /data-field="name">Alice Example</);
    assert.match(page, /data-field="username">alice</);
    assert.match(page, /data-field="email">alice@example.com</);
    assert.match(page, new RegExp(`data-field="uuid">${alice.sodar_uuid}<`));
    assert.match(page, /data-field="date_joined">\d{4}-\d\d-\d\d \d\d:\d\d</);
    assert.match(page, /data-field="authentication">LOCAL</);
    assert.match(page, /data-setting="settings.projectroles.user_dropdown_name_display"/);
    assert.match(page, /data-setting="settings.userprofile.enable_project_uuid_copy"/);
    // Not user modifiable: not listed to the user.
    assert.doesNotMatch(page, /project_list_home_starred/);
    assert.match(page, /id="sodar-user-btn-settings"/);
  });

  it('leaves out the full name when it is the username, and sends anonymous visitors to log in', async () => {
    await site.createUser({ username: 'plain', name: 'plain' });
    const page = (await (await logIn(site.app, 'plain')).get('/user/profile').expect(200)).text;
    assert.doesNotMatch(page, /data-field="name"/);
    const res = await anonymous(site.app).get('/user/profile').expect(302);
    assert.match(res.headers.location ?? '', /^\/login\?next=/);
  });

  it('updates settings from the form and shows their effect', async () => {
    const res = await postSettings(aliceAgent, {
      'settings.projectroles.user_dropdown_name_display': 'on',
      'settings.projectroles.project_list_pagination': '25',
    });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/user/profile');
    const profile = (await aliceAgent.get('/user/profile').expect(200)).text;
    assert.match(profile, /User settings updated\./);
    assert.match(profile, /id="sodar-user-menu-name">Alice Example</);
    assert.equal(await site.settings.get('projectroles', 'project_list_pagination', { user: alice }), 25);
    // A checkbox left out is off.
    await postSettings(aliceAgent, { 'settings.projectroles.project_list_pagination': '25' });
    assert.equal(await site.settings.get('projectroles', 'user_dropdown_name_display', { user: alice }), false);
    assert.match((await aliceAgent.get('/').expect(200)).text, /id="sodar-user-menu-name">alice</);
  });

  it('refuses an invalid value with the field message and writes nothing', async () => {
    const res = await postSettings(aliceAgent, { 'settings.projectroles.project_list_pagination': '7', 'settings.projectroles.user_dropdown_name_display': 'on' });
    assert.equal(res.status, 400);
    assert.match(res.text, /Invalid value: Choice &#34;7&#34; not found in options/);
    assert.match(res.text, /id="sodar-settings-form"/);
    assert.equal(await site.settings.get('projectroles', 'project_list_pagination', { user: alice }), 25);
    assert.equal(await site.settings.get('projectroles', 'user_dropdown_name_display', { user: alice }), false);
  });

  it('denies the form in read-only mode to users (302 home), not to superusers', async () => {
    await site.settings.set('projectroles', 'site_read_only', true);
    try {
      const res = await aliceAgent.get('/user/settings/update').expect(302);
      assert.equal(res.headers.location, '/');
      assert.doesNotMatch((await aliceAgent.get('/user/profile').expect(200)).text, /id="sodar-user-btn-settings"/);
      const admin = await logIn(site.app, 'admin');
      await admin.get('/user/settings/update').expect(200);
    } finally {
      await site.settings.set('projectroles', 'site_read_only', false);
    }
  });

  it('shows superusers the settings users may not change, marked [HIDDEN]', async () => {
    const admin = await logIn(site.app, 'admin');
    const form = await settingsPage(admin);
    assert.match(form, /name="settings.projectroles.project_list_home_starred"/);
    assert.match(form, /Show only starred projects on the home page \[HIDDEN\]/);
    assert.match(form, /\[HIDDEN FROM USERS\]/);
    assert.doesNotMatch(await settingsPage(aliceAgent), /project_list_home_starred/);
    // Posted by a user anyway: not among the form's fields, so not written.
    await postSettings(aliceAgent, { 'settings.projectroles.project_list_home_starred': 'on', 'settings.projectroles.project_list_pagination': '25' }).then((res) => assert.equal(res.status, 302));
    assert.equal(await site.settings.get('projectroles', 'project_list_home_starred', { user: alice }), false);
  });

  it('never shows a secret back, in the profile or the form, and keeps it when left empty', async () => {
    const res = await postSettings(aliceAgent, { 'settings.user_prefs.api_key': SECRET, 'settings.projectroles.project_list_pagination': '25' });
    assert.equal(res.status, 302);
    assert.equal(await site.settings.get('user_prefs', 'api_key', { user: alice }), SECRET);
    const profile = (await aliceAgent.get('/user/profile').expect(200)).text;
    assert.doesNotMatch(profile, new RegExp(SECRET));
    assert.match(profile, /data-setting="settings.user_prefs.api_key">\s*<td>API key<\/td>\s*<td class="sodar-setting-value">set</);
    const form = await settingsPage(aliceAgent);
    assert.doesNotMatch(form, new RegExp(SECRET));
    assert.match(form, /API key <span class="badge bg-secondary">set<\/span>/);
    // An invalid post shows the form again, still without the secret.
    const invalid = await postSettings(aliceAgent, { 'settings.user_prefs.api_key': 'another', 'settings.projectroles.project_list_pagination': 'x' });
    assert.equal(invalid.status, 400);
    assert.doesNotMatch(invalid.text, new RegExp(`${SECRET}|another`));
    await postSettings(aliceAgent, { 'settings.user_prefs.api_key': '', 'settings.projectroles.project_list_pagination': '25' });
    assert.equal(await site.settings.get('user_prefs', 'api_key', { user: alice }), SECRET);
  });

  it('reads the profile in a fixed number of statements with 2 or 40 stored settings', async () => {
    // The first request reads the user's settings, the second finds them cached.
    const count = async (agent: Agent) => {
      const statements = async () => Number((await agent.get('/user/profile').expect(200)).headers['x-query-count']);
      return { first: await statements(), warm: await statements() };
    };
    const few = await site.createUser({ username: 'few' });
    const many = await site.createUser({ username: 'many' });
    for (let i = 1; i <= 2; i += 1) await site.settings.set('user_prefs', `pref_${i}`, true, { user: few });
    for (let i = 1; i <= 40; i += 1) await site.settings.set('user_prefs', `pref_${i}`, true, { user: many });
    // A site of its own whose caches outlive the test: on a busy machine the main site's
    // 2 s session and user caches could run out between login and request.
    const fresh = await startTestSite({ location: site.location, sharedWith: site, env: { PLUGIN_DIRS: pluginDir(), CROSS_PROCESS_DELAY_SECONDS: '60' } });
    try {
      const fewCount = await count(await logIn(fresh.app, 'few'));
      const manyAgent = await logIn(fresh.app, 'many');
      assert.deepEqual(await count(manyAgent), fewCount);
      assert.match((await manyAgent.get('/user/profile').expect(200)).text, /Preference 40<\/td>\s*<td class="sodar-setting-value">Yes/);
      // The first request reads the user and their settings (the login kept the session), the second nothing.
      assert.deepEqual(fewCount, { first: 2, warm: 0 });
    } finally {
      await fresh.close();
    }
  });
});

describe('userprofile URL prefix', () => {
  const squatter = (prefix: string) => `
module.exports = class Squatter {
  static pluginType = 'site_app';
  name = 'squatter'; urlPrefix = '${prefix}'; title = 'Squatter'; icon = 'user'; description = ''; entryPoint = 'index'; appPermission = null;
  urls = [{ name: 'index', method: 'get', path: '/profile', kind: 'page', handler: (req, res) => res.send('squatted') }];
};`;

  it('is /user/, which a plugin of another origin cannot take; nor a reserved segment', async () => {
    await assert.rejects(startTestSite({ env: { PLUGIN_DIRS: pluginDir({ squatter: squatter('user') }) } }), /URL prefix "\/user\/" is already taken by the site_app plugin UserProfileSiteApp \(built in\)/);
    await assert.rejects(startTestSite({ env: { PLUGIN_DIRS: pluginDir({ squatter: squatter('static') }) } }), /URL prefix "\/static\/" is reserved/);
    await assert.rejects(startTestSite({ env: { PLUGIN_DIRS: pluginDir({ squatter: squatter('Bad-Prefix') }) } }), /member "urlPrefix" must be a string matching/);
  });
});
