/**
 * The site app settings page, site read-only mode's banner and its Ajax endpoint, and the
 * home page and project list reading the user's settings (starred-only, page size) in a
 * fixed number of statements at two sizes of stored settings and projects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../projectroles/entities';
import { createProject } from '../../projectroles/projects';
import { anonymous, csrfFrom, csrfTokenOf, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;

const BANNER = 'id="sodar-alert-site-read-only"';

/** X-Query-Count of a GET in the steady state: the second of two. */
async function queryCount(agent: Agent, url: string): Promise<number> {
  await agent.get(url).expect(200);
  return Number((await agent.get(url).expect(200)).headers['x-query-count']);
}

describe('site app settings and read-only mode', { timeout: 120_000 }, () => {
  let site: TestSite;
  let admin: Agent;
  let user: Agent;

  const sitePage = async (agent: Agent) => (await agent.get('/project/site-app-settings').expect(200)).text;
  const setReadOnly = async (on: boolean) => {
    const res = await admin
      .post('/project/site-app-settings')
      .type('form')
      .send({ _csrf: csrfFrom(await sitePage(admin)), ...(on ? { 'settings.projectroles.site_read_only': 'on' } : {}) });
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, '/project/site-app-settings');
  };

  before(async () => {
    site = await startTestSite();
    await site.createUser({ username: 'user' });
    admin = await logIn(site.app, 'admin');
    user = await logIn(site.app, 'user');
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('is for superusers, listed in their user menu; others go home', async () => {
    const page = await sitePage(admin);
    assert.match(page, /name="settings.projectroles.site_read_only"/);
    // SITE settings of projectroles only, and only user-modifiable ones.
    assert.doesNotMatch(page, /name="settings.projectroles.(project_list|ip_)/);
    assert.match(page, /data-site-app="siteappsettings"/);
    const menu = await admin.get('/siteappsettings/').expect(302);
    assert.equal(menu.headers.location, '/project/site-app-settings');
    const denied = await user.get('/project/site-app-settings').expect(302);
    assert.equal(denied.headers.location, '/');
    assert.doesNotMatch((await user.get('/').expect(200)).text, /data-site-app="siteappsettings"/);
    await user.post('/project/site-app-settings').type('form').send({ _csrf: await csrfTokenOf(user), 'settings.projectroles.site_read_only': 'on' }).expect(302);
    assert.equal(site.settings.siteValues.readOnly(), false);
    const anon = await anonymous(site.app).get('/project/site-app-settings').expect(302);
    assert.match(anon.headers.location ?? '', /^\/login\?next=/);
  });

  it('turns read-only mode on and off, with the banner on every page for everyone', async () => {
    assert.doesNotMatch((await user.get('/').expect(200)).text, new RegExp(BANNER));
    await setReadOnly(true);
    try {
      const settingsPage = await sitePage(admin);
      assert.match(settingsPage, /Site app settings updated\./);
      assert.match(settingsPage, /id="id_settings_projectroles_site_read_only" name="settings.projectroles.site_read_only" checked/);
      assert.equal(await site.settings.get('projectroles', 'site_read_only'), true);
      for (const page of [(await user.get('/').expect(200)).text, (await anonymous(site.app).get('/login').expect(200)).text, settingsPage]) {
        assert.match(page, new RegExp(`${BANNER}[^]*This site is currently in read-only mode. Modifying data is not permitted.`));
        assert.match(page, /src="\/static\/js\/site-read-only.js"/);
      }
      await anonymous(site.app).get('/static/js/site-read-only.js').expect(200).expect('Content-Type', /javascript/);
      assert.deepEqual((await user.get('/project/ajax/settings/site-read-only').expect(200)).body, { site_read_only: true });
    } finally {
      await setReadOnly(false);
    }
    assert.doesNotMatch((await user.get('/').expect(200)).text, new RegExp(BANNER));
    assert.deepEqual((await user.get('/project/ajax/settings/site-read-only').expect(200)).body, { site_read_only: false });
  });

  it('answers the read-only Ajax endpoint to anonymous visitors only with ALLOW_ANONYMOUS', async () => {
    const res = await anonymous(site.app).get('/project/ajax/settings/site-read-only').expect(403);
    assert.equal(res.body.detail, 'Authentication required.');
    const open = await startTestSite({ location: site.location, sharedWith: site, env: { ALLOW_ANONYMOUS: 'true' } });
    try {
      assert.deepEqual((await anonymous(open.app).get('/project/ajax/settings/site-read-only').expect(200)).body, { site_read_only: false });
    } finally {
      await open.close();
    }
  });
});

describe('projectroles USER settings on the home page and project list', { timeout: 120_000 }, () => {
  let site: TestSite;

  before(async () => {
    site = await startTestSite();
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  /** A user owning `projects` top-level categories with `stored` USER settings rows; logged in. */
  async function userWith(username: string, projects: number, stored: number): Promise<{ agent: Agent; account: User }> {
    const account = await site.createUser({ username });
    for (let i = 0; i < projects; i += 1) await createProject(site.db.dataSource, { title: `${username} ${String(i).padStart(3, '0')}`, type: 'CATEGORY', parent: null, owner: account });
    const flags = ['notify_alert_project', 'notify_email_project', 'notify_alert_role', 'notify_email_role', 'project_list_highlight', 'user_dropdown_name_display'];
    for (const name of flags.slice(0, stored)) await site.settings.set('projectroles', name, name !== 'user_dropdown_name_display' ? false : true, { user: account });
    return { agent: await logIn(site.app, username), account };
  }

  it('keeps the starred-only switch as the user setting, across logins', async () => {
    const { agent, account } = await userWith('starrer', 2, 0);
    await agent.post('/project/ajax/star/home').set('X-CSRFToken', await csrfTokenOf(agent)).type('form').send({ value: '1' }).expect(200, '1');
    assert.equal(await site.settings.get('projectroles', 'project_list_home_starred', { user: account }), true);
    const again = await logIn(site.app, 'starrer');
    assert.match((await again.get('/').expect(200)).text, /id="sodar-starred-only" checked/);
    assert.deepEqual((await again.get('/project/ajax/list').expect(200)).body.projects, []);
    assert.equal((await again.get('/project/ajax/list?starred=0').expect(200)).body.projects.length, 2);
  });

  it('pages the project list by project_list_pagination; -1 is the server page of 100', async () => {
    const { agent, account } = await userWith('pager', 30, 0);
    const first = (await agent.get('/project/ajax/list').expect(200)).body;
    assert.equal(first.projects.length, 10);
    assert.equal(first.next_page, 2);
    await site.settings.set('projectroles', 'project_list_pagination', 25, { user: account });
    const page2 = (await agent.get('/project/ajax/list?page=2').expect(200)).body;
    assert.equal(page2.projects.length, 5);
    assert.equal(page2.next_page, null);
    await site.settings.set('projectroles', 'project_list_pagination', -1, { user: account });
    assert.equal((await agent.get('/project/ajax/list').expect(200)).body.projects.length, 30);
  });

  it('shows the full name in the user menu when user_dropdown_name_display is on', async () => {
    const account = await site.createUser({ username: 'named', name: 'Named Person' });
    const agent = await logIn(site.app, 'named');
    assert.match((await agent.get('/').expect(200)).text, /id="sodar-user-menu-name">named</);
    await site.settings.set('projectroles', 'user_dropdown_name_display', true, { user: account });
    assert.match((await agent.get('/').expect(200)).text, /id="sodar-user-menu-name">Named Person</);
  });

  it('reads the home page and the list in fixed statements, whatever the stored settings and projects', async () => {
    const users = [await userWith('small', 2, 1), await userWith('large', 40, 6)];
    // A site of its own whose caches outlive the test: on a busy machine the main site's 2 s
    // session and user caches could run out between two requests and add their reads.
    const fresh = await startTestSite({ location: site.location, sharedWith: site, env: { CROSS_PROCESS_DELAY_SECONDS: '60' } });
    try {
      const [small, large] = await Promise.all(users.map(async ({ account }) => ({ account, agent: await logIn(fresh.app, account.username) })));
      if (!small || !large) throw new Error('two users expected');
      // Setting one of the user's settings drops their cached settings: the next request reads them.
      const afterChange = async ({ agent, account }: { agent: Agent; account: User }, url: string) => {
        await fresh.settings.set('projectroles', 'notify_alert_project', false, { user: account });
        return Number((await agent.get(url).expect(200)).headers['x-query-count']);
      };
      for (const url of ['/', '/project/ajax/list', '/project/ajax/list?starred=1', '/project/ajax/list?starred=0']) {
        assert.equal(await queryCount(large.agent, url), await queryCount(small.agent, url), `${url}, warm`);
        assert.equal(await afterChange(large, url), await afterChange(small, url), `${url}, reading the settings`);
      }
      // The list reads the settings whether or not `starred` is given, so both cost the same.
      assert.equal(await afterChange(large, '/project/ajax/list'), await afterChange(large, '/project/ajax/list?starred=0'));
      assert.equal(await afterChange(large, '/'), 1, 'the home page: the user settings read only');
      assert.equal(await queryCount(large.agent, '/'), 0, 'the home page, warm: the session, the user and their settings are cached');
    } finally {
      await fresh.close();
    }
  });
});
