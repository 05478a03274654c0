/**
 * PROJECT settings in the project create/update form (reference apps §5.4): shown for the
 * project's type, saved in the project's transaction (a refused value writes nothing),
 * recorded in the timeline, passed to performProjectSettingUpdate hooks; and the update form
 * costs the same statements with few or many settings and stored values.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { createProject } from '../../projectroles/projects';
import { submitForm } from '../helpers/form-fields';
import { scratchDir } from '../helpers/scratch';
import { logIn, startTestSite, type TestSite } from '../helpers/site';
import { settingsAppRecorder } from '../helpers/settings-app';

type Agent = Awaited<ReturnType<typeof logIn>>;

/** A site with the given fixture plugins as drop-ins. */
async function siteWith(plugins: string[]): Promise<{ site: TestSite; dir: string }> {
  const dir = scratchDir('sodar-form-settings-');
  for (const plugin of plugins) fs.cpSync(path.join(__dirname, '..', 'fixtures', 'plugins', plugin), path.join(dir, plugin), { recursive: true });
  // Plugin states and sessions are not re-read during the test: steady statement counts.
  const site = await startTestSite({ env: { PLUGIN_DIRS: dir, CROSS_PROCESS_DELAY_SECONDS: '60' } });
  return { site, dir };
}

async function closeSite({ site, dir }: { site: TestSite; dir: string }) {
  await site.close();
  await site.location.remove();
  fs.rmSync(dir, { recursive: true, force: true });
}

describe('project form settings', () => {
  let handle: { site: TestSite; dir: string };
  let site: TestSite;
  let owner: User;
  let category: Project;
  let project: Project;
  let ownerAgent: Agent;
  const value = async (plugin: string, name: string, on: Project) => site.settings.get(plugin, name, { project: on });
  const storedRows = async (on: Project) => site.db.dataSource.query('SELECT plugin_name, name, value FROM projectroles_appsetting WHERE project_id = $1 ORDER BY plugin_name, name', [on.id]);
  const recorder = () => settingsAppRecorder(site.registry);

  before(async () => {
    handle = await siteWith(['settings_app']);
    site = handle.site;
    owner = await site.createUser({ username: 'owner' });
    category = await createProject(site.db.dataSource, { title: 'Lab', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Exomes', type: 'PROJECT', parent: category, owner });
    ownerAgent = await logIn(site.app, 'owner');
  });
  after(() => closeSite(handle));

  it('shows the settings of the project type, grouped by app', async () => {
    const page = (await ownerAgent.get(`/project/update/${project.sodar_uuid}`).expect(200)).text;
    const groups = [...page.matchAll(/sodar-setting-group" data-plugin="(\w+)"/g)].map((match) => match[1]);
    assert.deepEqual(groups, ['projectroles', 'example_backend_app', 'settings_app'], 'projectroles first, then by plugin name');
    assert.match(page, /name="settings\.projectroles\.ip_allow_list"/);
    assert.match(page, /name="settings\.example_backend_app\.feature_enabled"/);
    assert.match(page, /<select class="form-select" id="id_settings_settings_app_project_choice" name="settings.settings_app.project_choice">/);
    assert.match(page, /<textarea class="form-control sodar-json-input"[^>]*name="settings.settings_app.project_json"/);
    assert.doesNotMatch(page, /category_note|category_public_stats/, 'category settings are not shown for a project');
    const categoryPage = (await ownerAgent.get(`/project/update/${category.sodar_uuid}`).expect(200)).text;
    assert.match(categoryPage, /name="settings\.settings_app\.category_note"/);
    assert.match(categoryPage, /name="settings\.projectroles\.category_public_stats"/);
    assert.doesNotMatch(categoryPage, /ip_allow_list|project_str/, 'project settings are not shown for a category');
    const createPage = (await ownerAgent.get(`/project/create/${category.sodar_uuid}`).expect(200)).text;
    assert.match(createPage, /data-project-types="category"/, 'create form: every type, for the script to choose');
    assert.doesNotMatch(createPage, /category_public_stats/, 'never below a parent');
    assert.match(createPage, /project-form\.js/);
  });

  it('saves changed settings with the project, records them and runs the hooks', async () => {
    recorder().calls.length = 0;
    await submitForm(ownerAgent, `/project/update/${project.sodar_uuid}`, {
      title: 'Exomes 2',
      'settings.projectroles.ip_restrict': 'on',
      'settings.projectroles.ip_allow_list': '10.0.0.0/24, 192.168.1.1',
      'settings.settings_app.project_int': '7',
      'settings.settings_app.project_json': '{"b": [1, 2]}',
      'settings.settings_app.project_choice': 'b',
    }, 302);
    assert.equal(await value('projectroles', 'ip_restrict', project), true);
    assert.equal(await value('projectroles', 'ip_allow_list', project), '10.0.0.0/24, 192.168.1.1');
    assert.equal(await value('settings_app', 'project_int', project), 7);
    assert.deepEqual(await value('settings_app', 'project_json', project), { b: [1, 2] });
    assert.equal(await value('settings_app', 'project_choice', project), 'b');
    assert.deepEqual(recorder().calls.sort(), ['projectroles.ip_allow_list="10.0.0.0/24, 192.168.1.1"', 'projectroles.ip_restrict=true', 'settings_app.project_choice="b"', 'settings_app.project_int=7', 'settings_app.project_json={"b":[1,2]}']);
    const events: Array<{ description: string; classified: boolean; extra_data: unknown }> = await site.db.dataSource.query(
      "SELECT description, classified, extra_data FROM timeline_event WHERE event_name = 'app_setting_set' AND project_id = $1 ORDER BY id",
      [project.id],
    );
    assert.equal(events.length, 5, 'one event per changed setting, none for unchanged ones');
    assert.ok(events.every((event) => event.classified));
    assert.deepEqual(events.find((event) => event.description === 'set value of settings_app.settings.project_int')?.extra_data, { value: 7 });
    const page = (await ownerAgent.get(`/project/update/${project.sodar_uuid}`).expect(200)).text;
    assert.match(page, /id="id_settings_projectroles_ip_restrict" name="settings.projectroles.ip_restrict" checked>/, 'shown again as saved');
    await submitForm(ownerAgent, `/project/update/${project.sodar_uuid}`, { title: 'Exomes', 'settings.projectroles.ip_restrict': null }, 302);
    assert.equal(await value('projectroles', 'ip_restrict', project), false, 'an unchecked box is false');
  });

  it('creates a project with its settings in the same transaction', async () => {
    await submitForm(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'Genomes', type: 'PROJECT', 'settings.settings_app.project_str': 'given at birth' }, 302);
    const [created]: Project[] = await site.db.dataSource.query("SELECT * FROM projectroles_project WHERE title = 'Genomes'");
    assert.ok(created);
    assert.equal(await value('settings_app', 'project_str', created), 'given at birth');
    await submitForm(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'Subcategory', type: 'CATEGORY', 'settings.settings_app.category_note': 'for a category' }, 302);
    const [sub]: Project[] = await site.db.dataSource.query("SELECT * FROM projectroles_project WHERE title = 'Subcategory'");
    assert.ok(sub);
    assert.equal(await value('settings_app', 'category_note', sub), 'for a category');
    assert.deepEqual((await storedRows(sub)).filter((row: { name: string }) => row.name === 'project_str'), [], 'settings of the other type are not read');
  });

  it('refuses bad values with a message on the field and writes nothing', async () => {
    const url = `/project/update/${project.sodar_uuid}`;
    const before = await storedRows(project);
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'settings.projectroles.ip_allow_list': '10.0.0.1/24' }, /10\.0\.0\.1\/24 has host bits set/],
      [{ 'settings.projectroles.ip_allow_list': 'not-an-ip' }, /&#39;not-an-ip&#39; does not appear to be an IPv4 or IPv6 address/],
      [{ 'settings.settings_app.project_int': 'ten' }, /Invalid value: Please enter a valid integer value \(ten\)/],
      [{ 'settings.settings_app.project_json': '{nope' }, /Invalid JSON\nValue is not valid JSON: \{nope/],
      [{ 'settings.settings_app.project_choice': 'zzz' }, /Invalid value: Choice &#34;zzz&#34; not found in options \(a, b\)/],
      [{ 'settings.settings_app.validated': 'bad' }, /Not this value, says the plugin/],
    ];
    for (const [changes, message] of cases) {
      const res = await submitForm(ownerAgent, url, { title: 'Renamed', 'settings.settings_app.project_str': 'changed', ...changes });
      assert.equal(res.status, 400, JSON.stringify(changes));
      assert.match(res.text, message);
      assert.match(res.text, /value="changed"/, 'the valid values posted are shown again');
    }
    recorder().brokenValidator = true;
    try {
      const res = await submitForm(ownerAgent, url, { title: 'Renamed' });
      assert.equal(res.status, 400);
      assert.match(res.text, /id="sodar-form-error">Exception in custom app setting validation for plugin &#34;settings_app&#34;: validator broke/);
    } finally {
      recorder().brokenValidator = false;
    }
    assert.deepEqual(await storedRows(project), before, 'no setting written');
    const [row]: Project[] = await site.db.dataSource.query('SELECT * FROM projectroles_project WHERE id = $1', [project.id]);
    assert.equal(row?.title, 'Exomes', 'nor the project');
    const sub = await createProject(site.db.dataSource, { title: 'Deep', type: 'CATEGORY', parent: category, owner });
    const stats = await submitForm(ownerAgent, `/project/update/${sub.sodar_uuid}`, { 'settings.projectroles.category_public_stats': 'on' });
    assert.equal(stats.status, 400);
    assert.match(stats.text, /This field can only be set for top level categories/);
    await submitForm(ownerAgent, `/project/update/${category.sodar_uuid}`, { 'settings.projectroles.category_public_stats': 'on' }, 302);
    assert.equal(await value('projectroles', 'category_public_stats', category), true, 'a top-level category may');
    const create = await submitForm(ownerAgent, `/project/create/${category.sodar_uuid}`, { title: 'Never', type: 'PROJECT', 'settings.projectroles.ip_allow_list': 'x' });
    assert.equal(create.status, 400);
    assert.deepEqual(await site.db.dataSource.query("SELECT id FROM projectroles_project WHERE title = 'Never'"), [], 'no project created');
  });
});

describe('project update form statements', { timeout: 120_000 }, () => {
  /** X-Query-Count of the owner's update form, in the steady state (the second of two GETs). */
  async function formStatements(plugins: string[], storeEverything: boolean): Promise<number> {
    const handle = await siteWith(plugins);
    try {
      const { site } = handle;
      const owner = await site.createUser({ username: 'owner' });
      const category = await createProject(site.db.dataSource, { title: 'Lab', type: 'CATEGORY', parent: null, owner });
      const project = await createProject(site.db.dataSource, { title: 'P', type: 'PROJECT', parent: category, owner });
      // Every BOOLEAN of projects on, but the access block, which would shut the owner out.
      const defs = site.settings.definitions.list({ scope: 'PROJECT' }).filter((def) => def.projectTypes.includes('PROJECT') && def.type === 'BOOLEAN' && def.name !== 'project_access_block');
      if (storeEverything) for (const def of defs) await site.settings.set(def.plugin, def.name, true, { project });
      const agent = await logIn(site.app, 'owner');
      const url = `/project/update/${project.sodar_uuid}`;
      await agent.get(url).expect(200);
      const res = await agent.get(url).expect(200);
      if (storeEverything) assert.ok(defs.length > 20, `${defs.length} stored values`);
      return Number(res.headers['x-query-count']);
    } finally {
      await closeSite(handle);
    }
  }

  it('are the same with few or many plugin settings and stored values', async () => {
    const few = await formStatements([], false);
    const many = await formStatements(['settings_app', 'many_settings'], true);
    assert.ok(few > 0);
    assert.equal(many, few);
  });
});
