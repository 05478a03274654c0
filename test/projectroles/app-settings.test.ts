/**
 * App settings through the AppSettings API and over HTTP (issue 12, done-when 1): scope
 * arguments, unknown settings, types, options and defaults (static and callable), bad
 * definitions at registration, non-modifiable settings, secrets, and who may read what.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkValue, SettingDefinitions } from '../../projectroles/app-setting-definitions';
import type { Project, User } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import { PluginRegistry } from '../../projectroles/registry';
import { RuleSet } from '../../projectroles/rules';
import { submitForm } from '../helpers/form-fields';
import { scratchDir } from '../helpers/scratch';
import { anonymous, csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';
import { settingsAppRecorder } from '../helpers/settings-app';

type Agent = Awaited<ReturnType<typeof logIn>>;

describe('app settings', () => {
  let site: TestSite;
  let pluginDir: string;
  let owner: User;
  let contributor: User;
  let other: User;
  let category: Project;
  let project: Project;
  let admin: Agent;
  let ownerAgent: Agent;
  let contributorAgent: Agent;
  let guestAgent: Agent;
  const settings = () => site.settings;

  before(async () => {
    pluginDir = scratchDir('sodar-settings-');
    fs.cpSync(path.join(__dirname, '..', 'fixtures', 'plugins', 'settings_app'), path.join(pluginDir, 'settings_app'), { recursive: true });
    site = await startTestSite({ env: { PLUGIN_DIRS: pluginDir } });
    owner = await site.createUser({ username: 'owner' });
    contributor = await site.createUser({ username: 'contributor' });
    other = await site.createUser({ username: 'other' });
    const guest = await site.createUser({ username: 'guest' });
    category = await createProject(site.db.dataSource, { title: 'Lab', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Exomes', type: 'PROJECT', parent: category, owner });
    await assignRole(site.db.dataSource, project, contributor, 'project contributor');
    await assignRole(site.db.dataSource, project, guest, 'project guest');
    await assignRole(site.db.dataSource, project, other, 'project contributor');
    admin = await logIn(site.app, 'admin');
    ownerAgent = await logIn(site.app, 'owner');
    contributorAgent = await logIn(site.app, 'contributor');
    guestAgent = await logIn(site.app, 'guest');
  });
  after(async () => {
    await site.close();
    await site.location.remove();
    fs.rmSync(pluginDir, { recursive: true, force: true });
  });

  const retrieve = (agent: Agent | ReturnType<typeof anonymous>, query: Record<string, string>, on = project.sodar_uuid) => agent.get(`/project/api/settings/retrieve/${on}`).query(query);
  /** POSTs to set/<project>; resolves to the response (check its status with assert). */
  const setOn = async (agent: Agent, body: Record<string, unknown>, on = project.sodar_uuid) =>
    agent.post(`/project/api/settings/set/${on}`).set('X-CSRFToken', await csrfTokenOf(agent)).send(body);
  const setOk = async (agent: Agent, body: Record<string, unknown>) => {
    const res = await setOn(agent, body);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res;
  };
  const rowCount = async () => ((await site.db.dataSource.query('SELECT count(*)::int AS n FROM projectroles_appsetting')) as Array<{ n: number }>)[0]?.n;

  describe('the AppSettings API', () => {
    it('refuses wrong scope arguments for each scope', async () => {
      await assert.rejects(settings().get('settings_app', 'project_str'), /Project unset for setting "settings_app.project_str" \(scope PROJECT\)/);
      await assert.rejects(settings().get('settings_app', 'project_str', { project, user: owner }), /User set for setting "settings_app.project_str" \(scope PROJECT\), which takes none/);
      await assert.rejects(settings().set('settings_app', 'user_bool', true, { project, user: owner }), /Project set for setting "settings_app.user_bool" \(scope USER\), which takes none/);
      await assert.rejects(settings().set('settings_app', 'user_bool', true), /User unset for setting "settings_app.user_bool" \(scope USER\)/);
      await assert.rejects(settings().get('settings_app', 'pu_str', { project }), /User unset for setting "settings_app.pu_str" \(scope PROJECT_USER\)/);
      await assert.rejects(settings().get('settings_app', 'pu_str', { user: owner }), /Project unset for setting "settings_app.pu_str"/);
      await assert.rejects(settings().set('settings_app', 'site_int', 6, { project }), /Project set for setting "settings_app.site_int" \(scope SITE\), which takes none/);
      await assert.rejects(settings().getAll('PROJECT'), /Project unset for setting of scope PROJECT/);
    });

    it('refuses unknown plugins and settings with SODAR messages', async () => {
      await assert.rejects(settings().get('nope', 'x'), /Plugin not found with name "nope"/);
      await assert.rejects(settings().get('settings_app', 'nope', { project }), /App setting not found in plugin "settings_app" with name "nope"/);
    });

    it('refuses values of the wrong type, for each type', async () => {
      await assert.rejects(settings().set('settings_app', 'member_flag', 'yes', { project }), /Please enter value as bool \(value=yes; type=string\)/);
      await assert.rejects(settings().set('settings_app', 'project_int', 1.5, { project }), /Please enter a valid integer value \(1.5\)/);
      await assert.rejects(settings().set('settings_app', 'project_str', 5, { project }), /Please enter value as string \(value=5; type=number\)/);
      await assert.rejects(settings().set('settings_app', 'project_json', 'x', { project }), /Please enter JSON value as dict or list \("x"\)/);
      await assert.rejects(settings().set('settings_app', 'category_note', 'x', { project }), /Project type PROJECT not allowed for setting category_note/);
    });

    it('checks static and callable options', async () => {
      await assert.rejects(settings().set('settings_app', 'project_choice', 'c', { project }), /Choice "c" not found in options \(a, b\)/);
      await settings().set('settings_app', 'project_choice', 'b', { project });
      assert.equal(await settings().get('settings_app', 'project_choice', { project }), 'b');
      await settings().set('settings_app', 'project_callable_choice', 3, { project });
      const def = settings().definitions.get('settings_app', 'project_callable_choice');
      assert.throws(() => checkValue(def, 3, { project: null, user: null }), /Choice "3" not found in options \(1, 2\)/);
    });

    it('evaluates callable defaults, and gives the empty value when one throws', async () => {
      assert.equal(await settings().get('settings_app', 'callable_default', { project }), 'default for PROJECT');
      assert.equal(settings().getDefaults('PROJECT')['settings.settings_app.callable_default'], 'default for nothing');
      assert.equal(await settings().get('settings_app', 'throwing_default', { project }), 0);
      assert.equal((await settings().getAll('PROJECT', { project }))['settings.settings_app.throwing_default'], 0);
    });

    it('stops registration naming the plugin and setting of a bad definition', () => {
      const registry = new PluginRegistry({ enabledBackendPlugins: null, rules: new RuleSet() });
      const withSettings = (appSettings: unknown[]) =>
        class BadSettings {
          static pluginType = 'backend' as const;
          name = 'bad_settings';
          title = 'Bad';
          icon = 'cube';
          description = '';
          appSettings = appSettings;
          getApi() {
            return null;
          }
        };
      const register = (defs: unknown[]) => () => registry.register(withSettings(defs) as never);
      assert.throws(register([{ name: 'flag', scope: 'PROJECT', type: 'FLOAT' }]), /Plugin class BadSettings \(built in\): app setting "flag": type must be one of BOOLEAN, INTEGER, STRING, JSON \(got "FLOAT"\)/);
      assert.throws(register([{ name: 'flag', scope: 'GLOBAL', type: 'BOOLEAN' }]), /app setting "flag": scope must be one of PROJECT, USER, PROJECT_USER, SITE/);
      assert.throws(register([{ name: 'count', scope: 'USER', type: 'INTEGER', default: 'ten' }]), /app setting "count": default: Please enter a valid integer value \(ten\)/);
      assert.throws(register([{ name: 'pick', scope: 'USER', type: 'INTEGER', options: [1, 'two'] }]), /app setting "pick": option "two": Please enter a valid integer value/);
      assert.throws(register([{ name: 'Bad-Name', scope: 'USER', type: 'INTEGER' }]), /app setting name "Bad-Name" must match/);
      assert.throws(register([{ name: 'site_flag', scope: 'SITE', type: 'BOOLEAN', projectTypes: ['PROJECT'] }]), /app setting "site_flag": projectTypes applies to PROJECT and PROJECT_USER settings only/);
      const definitions = new SettingDefinitions();
      assert.throws(() => definitions.add('bad_settings', [{ name: 'flag', scope: 'PROJECT', type: 'BOOLEAN', readRule: 'nope.rule' }], () => false), /Plugin "bad_settings": app setting "flag": readRule "nope.rule" is not a known rule/);
    });
  });

  describe('over HTTP', () => {
    it('refuses non-modifiable settings to non-superusers in the form and over REST, lets superusers set them in the form', async () => {
      const form = `/project/update/${project.sodar_uuid}`;
      const ownerPage = await ownerAgent.get(form).expect(200);
      assert.doesNotMatch(ownerPage.text, /settings\.settings_app\.admin_only|settings\.projectroles\.project_access_block/);
      await submitForm(ownerAgent, form, { 'settings.settings_app.admin_only': 'on' }, 302);
      assert.equal(await settings().get('settings_app', 'admin_only', { project }), false, 'posted by an owner: ignored');
      const rest = await setOn(ownerAgent, { plugin_name: 'settings_app', setting_name: 'admin_only', value: true });
      assert.equal(rest.status, 403);
      assert.deepEqual(rest.body, { detail: 'Updating non-user modifiable settings is not allowed' });
      // As SODAR, not even a superuser over REST (project_access_block has its command).
      assert.equal((await setOn(admin, { plugin_name: 'settings_app', setting_name: 'admin_only', value: true })).status, 403);
      const adminPage = await admin.get(form).expect(200);
      assert.match(adminPage.text, /Admin only \[HIDDEN\]/);
      assert.match(adminPage.text, /Block project access \[HIDDEN\]/);
      await submitForm(admin, form, { 'settings.settings_app.admin_only': 'on' }, 302);
      assert.equal(await settings().get('settings_app', 'admin_only', { project }), true);
      await setOn(ownerAgent, { plugin_name: 'settings_app', setting_name: 'user_locked', value: true }).then((res) => assert.equal(res.status, 400));
      const locked = await ownerAgent.post('/project/api/settings/set/user').set('X-CSRFToken', await csrfTokenOf(ownerAgent)).send({ plugin_name: 'settings_app', setting_name: 'user_locked', value: true });
      assert.equal(locked.status, 403);
    });

    it('never echoes a secret: form, pages, REST JSON, timeline extra data', async () => {
      const secret = 'sekrit-4711';
      const form = `/project/update/${project.sodar_uuid}`;
      await submitForm(ownerAgent, form, { 'settings.settings_app.token': secret }, 302);
      assert.equal(await settings().get('settings_app', 'token', { project }), secret, 'stored');
      const again = await ownerAgent.get(form).expect(200);
      assert.ok(!again.text.includes(secret), 'the form does not show it');
      assert.match(again.text, /Secret token <span class="badge bg-secondary">set<\/span>/);
      // Left empty, the secret keeps its value.
      await submitForm(ownerAgent, form, {}, 302);
      assert.equal(await settings().get('settings_app', 'token', { project }), secret);
      for (const url of [`/project/${project.sodar_uuid}`, `/timeline/${project.sodar_uuid}`]) assert.ok(!(await ownerAgent.get(url)).text.includes(secret), `${url} does not show it`);
      const json = await retrieve(ownerAgent, { plugin_name: 'settings_app', setting_name: 'token' }).expect(200);
      assert.deepEqual(json.body, { plugin_name: 'settings_app', project: project.sodar_uuid, user: null, name: 'token', type: 'STRING', value: null, user_modifiable: true, secret: true });
      const events: Array<{ extra_data: unknown }> = await site.db.dataSource.query(
        "SELECT extra_data FROM timeline_event WHERE event_name = 'app_setting_set' AND description LIKE '%settings_app.settings.token%'",
      );
      assert.ok(events.length > 0, 'the change is recorded');
      for (const event of events) assert.ok(!JSON.stringify(event.extra_data).includes(secret), 'not in the event');
      await ownerAgent.post('/project/api/settings/set/user').set('X-CSRFToken', await csrfTokenOf(ownerAgent)).send({ plugin_name: 'settings_app', setting_name: 'user_secret', value: secret }).expect(200);
      const mine = await ownerAgent.get('/project/api/settings/retrieve/user').query({ plugin_name: 'settings_app', setting_name: 'user_secret' }).expect(200);
      assert.equal(mine.body.value, null);
      assert.equal(mine.body.secret, true);
    });

    it('reads PROJECT settings under their readRule: members the member flag, owners the rest', async () => {
      await settings().set('settings_app', 'member_flag', true, { project });
      for (const agent of [contributorAgent, guestAgent, ownerAgent]) {
        const res = await retrieve(agent, { plugin_name: 'settings_app', setting_name: 'member_flag' }).expect(200);
        assert.equal(res.body.value, true);
      }
      for (const agent of [contributorAgent, guestAgent]) {
        const denied = await retrieve(agent, { plugin_name: 'settings_app', setting_name: 'project_str' });
        assert.equal(denied.status, 403);
        assert.deepEqual(denied.body, { detail: 'User lacks permission to access PROJECT scope app settings in this project' });
      }
      const ownerRead = await retrieve(ownerAgent, { plugin_name: 'settings_app', setting_name: 'project_str' }).expect(200);
      assert.equal(ownerRead.body.value, 'plain');
      assert.equal((await retrieve(anonymous(site.app), { plugin_name: 'settings_app', setting_name: 'member_flag' })).status, 401);
      const outsider = await logIn(site.app, (await site.createUser({ username: 'outsider' })).username);
      assert.equal((await retrieve(outsider, { plugin_name: 'settings_app', setting_name: 'member_flag' })).status, 403);
    });

    it('writes nothing on GET (SODAR creates the row)', async () => {
      const before = await rowCount();
      await retrieve(ownerAgent, { plugin_name: 'settings_app', setting_name: 'project_int' }).expect(200);
      await ownerAgent.get('/project/api/settings/retrieve/user').query({ plugin_name: 'settings_app', setting_name: 'user_bool' }).expect(200);
      assert.equal(await rowCount(), before);
    });

    it('answers bad requests with 400 and a bare list, as SODAR', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ setting_name: 'x', value: 1 }, 'Plugin object and name both unset'],
        [{ plugin_name: 'nope', setting_name: 'x', value: 1 }, 'Plugin not found with name "nope"'],
        [{ plugin_name: 'settings_app', setting_name: 'nope', value: 1 }, 'App setting not found in plugin "settings_app" with name "nope"'],
        [{ plugin_name: 'settings_app', setting_name: 'user_bool', value: true }, 'Invalid setting scope'],
        [{ plugin_name: 'settings_app', setting_name: 'project_int' }, 'Value not set in request data'],
        [{ plugin_name: 'settings_app', setting_name: 'member_flag', value: 'true' }, 'Please enter value as bool (value=true; type=string)'],
        [{ plugin_name: 'settings_app', setting_name: 'project_int', value: 'ten' }, 'Please enter a valid integer value (ten)'],
        [{ plugin_name: 'settings_app', setting_name: 'project_json', value: '{nope' }, 'Value is not valid JSON: {nope'],
        [{ plugin_name: 'settings_app', setting_name: 'project_choice', value: 'z' }, 'Choice "z" not found in options (a, b)'],
        [{ plugin_name: 'projectroles', setting_name: 'ip_allow_list', value: '10.0.0.1/24' }, '10.0.0.1/24 has host bits set'],
        [{ plugin_name: 'projectroles', setting_name: 'ip_allow_list', value: 'x' }, "'x' does not appear to be an IPv4 or IPv6 address"],
        [{ plugin_name: 'settings_app', setting_name: 'pu_str', value: 'v' }, 'No user given for PROJECT_USER setting'],
      ];
      for (const [body, message] of cases) {
        const res = await setOn(ownerAgent, body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.deepEqual(res.body, [message]);
      }
      const sub = await createProject(site.db.dataSource, { title: 'Sub', type: 'CATEGORY', parent: category, owner });
      const stats = await setOn(ownerAgent, { plugin_name: 'projectroles', setting_name: 'category_public_stats', value: true }, sub.sodar_uuid);
      assert.deepEqual([stats.status, stats.body], [400, ['Setting category_public_stats is only allowed for top level categories']]);
      await setOn(ownerAgent, { plugin_name: 'projectroles', setting_name: 'category_public_stats', value: true }, category.sodar_uuid).then((res) => assert.equal(res.status, 200));
      await setOn(ownerAgent, { plugin_name: 'projectroles', setting_name: 'category_public_stats', value: false }, category.sodar_uuid);
    });

    it('sets a PROJECT setting for owners only, with hooks and a classified event', async () => {
      const recorder = settingsAppRecorder(site.registry);
      recorder.calls.length = 0;
      const res = await setOk(ownerAgent, { plugin_name: 'settings_app', setting_name: 'project_int', value: '42' });
      assert.deepEqual(res.body, { detail: `Set value of settings_app.settings.project_int (project=${project.sodar_uuid}; user=None)` });
      assert.equal(await settings().get('settings_app', 'project_int', { project }), 42);
      assert.deepEqual(recorder.calls, ['settings_app.project_int=42']);
      const [event]: Array<{ classified: boolean; extra_data: unknown }> = await site.db.dataSource.query(
        "SELECT classified, extra_data FROM timeline_event WHERE event_name = 'app_setting_set' AND description = 'set value of settings_app.settings.project_int' ORDER BY id DESC LIMIT 1",
      );
      assert.deepEqual(event, { classified: true, extra_data: { value: 42 } });
      const denied = await setOn(contributorAgent, { plugin_name: 'settings_app', setting_name: 'project_int', value: 1 });
      assert.deepEqual([denied.status, denied.body], [403, { detail: 'User lacks permission to update PROJECT scope app settings in this project' }]);
    });

    it('keeps PROJECT_USER settings to their user (superusers aside) and refuses writes in read-only mode', async () => {
      const mine = { plugin_name: 'settings_app', setting_name: 'pu_str', user: contributor.sodar_uuid };
      const own = await retrieve(contributorAgent, mine).expect(200);
      assert.deepEqual(own.body, { plugin_name: 'settings_app', project: project.sodar_uuid, user: contributor.sodar_uuid, name: 'pu_str', type: 'STRING', value: 'mine', user_modifiable: true });
      await setOk(contributorAgent, { ...mine, value: 'changed' });
      assert.equal(await settings().get('settings_app', 'pu_str', { project, user: contributor }), 'changed');
      const theirs = { plugin_name: 'settings_app', setting_name: 'pu_str', user: other.sodar_uuid };
      for (const res of [await retrieve(contributorAgent, theirs), await setOn(contributorAgent, { ...theirs, value: 'x' })]) {
        assert.deepEqual([res.status, res.body], [403, { detail: 'User is not allowed to update settings for other users' }]);
      }
      assert.equal(await settings().get('settings_app', 'pu_str', { project, user: other }), 'mine', 'unchanged');
      assert.equal((await retrieve(admin, theirs).expect(200)).body.value, 'mine');
      const v1 = await retrieve(admin, theirs).set('Accept', 'application/vnd.bihealth.sodar-core.projectroles+json; version=1.1').expect(200);
      assert.equal(v1.body.user.username, 'other', 'below 2.0 the user is an object');
      await settings().set('projectroles', 'site_read_only', true);
      try {
        const res = await setOn(contributorAgent, { ...mine, value: 'ro' });
        assert.deepEqual([res.status, res.body], [403, { detail: 'Site in read-only mode, operation not allowed' }]);
        await setOk(admin, { ...mine, value: 'by admin' });
      } finally {
        await settings().set('projectroles', 'site_read_only', false);
      }
    });

    it('reads and sets the caller\'s USER settings, not for anonymous callers', async () => {
      const token = await csrfTokenOf(contributorAgent);
      const res = await contributorAgent.post('/project/api/settings/set/user').set('X-CSRFToken', token).send({ plugin_name: 'settings_app', setting_name: 'user_bool', value: true }).expect(200);
      assert.deepEqual(res.body, { detail: 'Set value of settings_app.settings.user_bool' });
      const read = await contributorAgent.get('/project/api/settings/retrieve/user').query({ plugin_name: 'settings_app', setting_name: 'user_bool' }).expect(200);
      assert.deepEqual(read.body, { plugin_name: 'settings_app', project: null, user: contributor.sodar_uuid, name: 'user_bool', type: 'BOOLEAN', value: true, user_modifiable: true });
      const scope = await contributorAgent.get('/project/api/settings/retrieve/user').query({ plugin_name: 'settings_app', setting_name: 'project_str' });
      assert.deepEqual([scope.status, scope.body], [400, ['Invalid setting scope']]);
      const anon = await anonymous(site.app).get('/project/api/settings/retrieve/user').query({ plugin_name: 'settings_app', setting_name: 'user_bool' });
      assert.deepEqual([anon.status, anon.body], [403, { detail: 'Anonymous access not allowed' }]);
    });
  });
});
