/**
 * `npm run blockprojectaccess` and `npm run cleanappsettings` as real processes on a test
 * database (reference apps §5.6, §5.8): their refusals (exit 1, SODAR's texts), what they
 * log and what they leave in the database. The site is closed while a command runs (the
 * embedded database admits one process) and opened again to look.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { v4 as uuidv4 } from 'uuid';
import type { User } from '../../projectroles/entities';
import { assignRole, createProject, type ProjectRow } from '../../projectroles/projects';
import { createTestDatabase, type TestDatabaseLocation } from '../helpers/database';
import { runScript } from '../helpers/site-process';
import { startTestSite, type TestSite } from '../helpers/site';

const PLUGINS = path.join(__dirname, '..', 'fixtures', 'setting-plugins');

/** Opens the site on `location`, runs `look`, and closes it again. */
async function withSite<T>(location: TestDatabaseLocation, look: (site: TestSite) => Promise<T>, pluginDirs = PLUGINS): Promise<T> {
  const site = await startTestSite({ location, env: { PLUGIN_DIRS: pluginDirs } });
  try {
    return await look(site);
  } finally {
    await site.close();
  }
}

const run = (location: TestDatabaseLocation, script: string, args: string[], pluginDirs = PLUGINS) =>
  runScript(`scripts/${script}.ts`, args, { ...location.env, LOG_LEVEL: 'warn', PLUGIN_DIRS: pluginDirs });

describe('npm run blockprojectaccess', () => {
  let location: TestDatabaseLocation;
  let project: ProjectRow;
  let category: ProjectRow;

  before(async () => {
    location = await createTestDatabase();
    await withSite(location, async (site) => {
      const owner = await site.createUser({ username: 'owner' });
      category = (await createProject(site.db.dataSource, { title: 'Category', type: 'CATEGORY', parent: null, owner })) as ProjectRow;
      project = (await createProject(site.db.dataSource, { title: 'Project', type: 'PROJECT', parent: category, owner })) as ProjectRow;
    });
  });
  after(() => location.remove());

  const blocked = () => withSite(location, (site) => site.settings.get('projectroles', 'project_access_block', { project }));

  it('blocks and unblocks a project, saying so', async () => {
    const on = await run(location, 'blockprojectaccess', ['--project', project.sodar_uuid, '--mode', '1']);
    assert.equal(on.code, 0, on.stderr);
    assert.equal(on.stdout.trim(), `Project access block enabled: Project (${project.sodar_uuid})`);
    assert.equal(await blocked(), true);
    const off = await run(location, 'blockprojectaccess', ['-p', project.sodar_uuid, '-m', '0']);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout.trim(), `Project access block disabled: Project (${project.sodar_uuid})`);
    assert.equal(await blocked(), false);
  });

  it("refuses with SODAR's messages and exit code 1", async () => {
    const unknown = uuidv4();
    for (const [args, message] of [
      [['--project', unknown, '--mode', '1'], `Project not found with UUID: ${unknown}`],
      [['--project', 'not-a-uuid', '--mode', '1'], 'Project not found with UUID: not-a-uuid'],
      [['--project', category.sodar_uuid, '--mode', '1'], 'This action only supports projects of PROJECT type'],
      [['--project', project.sodar_uuid, '--mode', '2'], 'Invalid mode: 2 (accepted: 0, 1)'],
      [['--project', project.sodar_uuid, '--mode', 'on'], 'Exception converting mode "on": not an integer'],
    ] as const) {
      const result = await run(location, 'blockprojectaccess', [...args]);
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.equal(result.stderr.trim(), message);
    }
    const usage = await run(location, 'blockprojectaccess', ['--project', project.sodar_uuid]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^usage: npm run blockprojectaccess/);
    assert.equal(await blocked(), false, 'nothing changed');
  });
});

describe('npm run cleanappsettings', () => {
  let location: TestDatabaseLocation;
  let users: Record<'owner' | 'member' | 'stranger' | 'superuser' | 'categoryOwner', User>;

  /** The stored rows as `plugin.name project user`, sorted. */
  const stored = (pluginDirs = PLUGINS) =>
    withSite(
      location,
      async (site) =>
        (
          (await site.db.dataSource.query(
            `SELECT s.plugin_name || '.' || s.name || ' ' || coalesce(p.title, '-') || ' ' || coalesce(u.username, '-') AS row
             FROM projectroles_appsetting s LEFT JOIN projectroles_project p ON p.id = s.project_id LEFT JOIN projectroles_user u ON u.id = s.user_id`,
          )) as Array<{ row: string }>
        )
          .map((r) => r.row)
          .sort(),
      pluginDirs,
    );

  before(async () => {
    location = await createTestDatabase();
    await withSite(location, async (site) => {
      const ds = site.db.dataSource;
      users = {
        owner: await site.createUser({ username: 'owner' }),
        member: await site.createUser({ username: 'member' }),
        stranger: await site.createUser({ username: 'stranger' }),
        superuser: await site.createUser({ username: 'root', isSuperuser: true }),
        categoryOwner: await site.createUser({ username: 'cat_owner' }),
      };
      const category = await createProject(ds, { title: 'Category', type: 'CATEGORY', parent: null, owner: users.categoryOwner });
      const project = await createProject(ds, { title: 'Project', type: 'PROJECT', parent: category, owner: users.owner });
      await assignRole(ds, project, users.member, 'project guest');
      for (const user of [users.member, users.stranger, users.superuser, users.categoryOwner]) {
        await site.settings.set('user_notes', 'note', `note of ${user.username}`, { project, user });
      }
      await site.settings.set('projectroles', 'ip_restrict', true, { project });
      await site.settings.set('projectroles', 'project_list_pagination', 25, { user: users.member });
      // What the API refuses to store, as a changed definition or a removed plugin leaves it.
      const insert = (plugin: string, name: string, projectId: number | null) =>
        ds.query(`INSERT INTO projectroles_appsetting (sodar_uuid, plugin_name, name, value, project_id, user_id) VALUES (gen_random_uuid(), $1, $2, 'true'::jsonb, $3, NULL)`, [plugin, name, projectId]);
      await insert('projectroles', 'ip_restrict', category.id);
      await insert('projectroles', 'gone_setting', project.id);
      await insert('gone_plugin', 'gone_flag', null);
    });
  });
  after(() => location.remove());

  const FOUND = [
    '"settings.user_notes.note" (project="Project"; user="stranger"): user has no role in project',
    `"settings.projectroles.ip_restrict" (project="Category"; user=None): project type "CATEGORY" does not match allowed types: ['PROJECT']`,
    '"settings.projectroles.gone_setting" (project="Project"; user=None): definition not found',
    '"settings.gone_plugin.gone_flag" (project=None; user=None): definition not found',
  ];
  const KEPT = [
    'projectroles.ip_restrict Project -',
    'projectroles.project_list_pagination - member',
    'user_notes.note Project cat_owner',
    'user_notes.note Project member',
    'user_notes.note Project root',
  ];

  it('with --check reports what it would delete and deletes nothing', async () => {
    const before = await stored();
    const result = await run(location, 'cleanappsettings', ['--check']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [...FOUND.map((line) => `Found ${line}`), 'OK']);
    assert.deepEqual(await stored(), before);
  });

  it("deletes them, keeping members' (an inherited role counts) and superusers' settings", async () => {
    const result = await run(location, 'cleanappsettings', []);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split('\n'), [...FOUND.map((line) => `Deleting ${line}`), 'OK']);
    assert.deepEqual(await stored(), KEPT);
    const again = await run(location, 'cleanappsettings', []);
    assert.equal(again.stdout.trim(), 'OK', 'nothing left to clean');
  });

  it("with --superuser deletes superusers' settings in projects without a role too", async () => {
    const result = await run(location, 'cleanappsettings', ['--superuser']);
    assert.deepEqual(result.stdout.trim().split('\n'), ['Deleting "settings.user_notes.note" (project="Project"; user="root"): user has no role in project', 'OK']);
    assert.deepEqual(await stored(), KEPT.filter((row) => !row.endsWith(' root')));
  });

  it("deletes a removed plugin's settings", async () => {
    const result = await run(location, 'cleanappsettings', [], '');
    assert.deepEqual(result.stdout.trim().split('\n'), [
      'Deleting "settings.user_notes.note" (project="Project"; user="member"): definition not found',
      'Deleting "settings.user_notes.note" (project="Project"; user="cat_owner"): definition not found',
      'OK',
    ]);
    assert.deepEqual(await stored(''), ['projectroles.ip_restrict Project -', 'projectroles.project_list_pagination - member']);
  });
});
