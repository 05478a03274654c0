/** The demo seed's settings: stored through the settings API, once, and visible where they act. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UserEntity } from '../../projectroles/entities';
import { seedDemoProjects, seedDemoSettings, seedDemoUsers } from '../../projectroles/seed';
import { logIn, startTestSite, type TestSite } from '../helpers/site';

describe('demo settings', () => {
  let site: TestSite;

  before(async () => {
    site = await startTestSite();
    await seedDemoUsers(site.db.dataSource, 'sodar-demo');
    await seedDemoProjects(site.db.dataSource);
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('stores an IP allow list example, public statistics and a page size, once', async () => {
    assert.equal(await seedDemoSettings(site.db.dataSource, site.settings), 4);
    const alice = await site.db.dataSource.getRepository(UserEntity).findOneByOrFail({ username: 'alice' });
    assert.equal(await site.settings.get('projectroles', 'project_list_pagination', { user: alice }), 25);
    await site.settings.set('projectroles', 'project_list_pagination', 50, { user: alice });
    assert.equal(await seedDemoSettings(site.db.dataSource, site.settings), 0, 'nothing added the second time');
    assert.equal(await site.settings.get('projectroles', 'project_list_pagination', { user: alice }), 50, "a user's own change stays");

    const [exomes] = await site.db.dataSource.query("SELECT * FROM projectroles_project WHERE title = 'Rare Disease Exomes'");
    assert.equal(await site.settings.get('projectroles', 'ip_restrict', { project: exomes }), false, 'an example, not switched on');
    assert.equal(await site.settings.get('projectroles', 'ip_allow_list', { project: exomes }), '192.168.0.0/16,10.0.0.1');
    // Imaging's public statistics: carol, without a role there, sees it listed and may open it.
    const carol = await logIn(site.app, 'carol', 'sodar-demo');
    const listed = (await carol.get('/project/ajax/list').expect(200)).body as { projects: Array<{ title: string; access: boolean }> };
    assert.equal(listed.projects.find((p) => p.title === 'Imaging')?.access, true);
  });
});
