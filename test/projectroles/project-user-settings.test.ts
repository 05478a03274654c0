/**
 * A member's own settings in one project (beyond SODAR #362): the page lists the PROJECT_USER
 * settings an app marks user modifiable, stores them for that member only, and answers like
 * every project page to those who cannot see the project, to anonymous visitors and, for
 * saving, in site read-only mode.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Project, User } from '../../projectroles/entities';
import { assignRole, createProject } from '../../projectroles/projects';
import { submitForm } from '../helpers/form-fields';
import { anonymous, logIn, startTestSite, type TestSite } from '../helpers/site';

type Agent = Awaited<ReturnType<typeof logIn>>;
const FIELD = 'settings.example_backend_app.show_tips';

describe('my settings in a project', () => {
  let site: TestSite;
  let project: Project;
  let owner: User;
  let guest: User;
  let guestAgent: Agent;
  const url = () => `/project/${project.sodar_uuid}/settings/user`;
  const showTips = (user: User) => site.settings.get('example_backend_app', 'show_tips', { project, user });

  before(async () => {
    site = await startTestSite();
    owner = await site.createUser({ username: 'owner' });
    guest = await site.createUser({ username: 'guest' });
    await site.createUser({ username: 'outsider' });
    const category = await createProject(site.db.dataSource, { title: 'Cat', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Proj', type: 'PROJECT', parent: category, owner });
    await assignRole(site.db.dataSource, project, guest, 'project guest');
    guestAgent = await logIn(site.app, 'guest');
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('is linked from the project page and lists the user-modifiable PROJECT_USER settings only', async () => {
    const detail = await guestAgent.get(`/project/${project.sodar_uuid}`).expect(200);
    assert.match(detail.text, /id="sodar-project-my-settings"/);
    const page = await guestAgent.get(url()).expect(200);
    assert.match(page.text, new RegExp(`name="${FIELD.replace(/\./g, '\\.')}" checked`), 'the default (on) is shown');
    assert.doesNotMatch(page.text, /settings\.projectroles\.ip_restrict|settings\.example_backend_app\.feature_enabled/, 'no PROJECT settings');
  });

  it("stores the member's value for them alone, in this project", async () => {
    const res = await submitForm(guestAgent, url(), { [FIELD]: null }, 302);
    assert.equal(res.headers.location, `/project/${project.sodar_uuid}`);
    assert.equal(await showTips(guest), false);
    assert.equal(await showTips(owner), true, "the owner's value is their own");
    assert.doesNotMatch((await guestAgent.get(url()).expect(200)).text, new RegExp(`name="${FIELD.replace(/\./g, '\\.')}" checked`));
  });

  it('turns away those who cannot see the project, and anonymous visitors', async () => {
    const outsider = await logIn(site.app, 'outsider');
    await outsider.get(url()).expect(302).expect('Location', '/');
    await anonymous(site.app).get(url()).expect(302).expect('Location', `/login?next=${encodeURIComponent(url())}`);
  });

  it('shows but does not save in site read-only mode', async () => {
    await site.settings.set('projectroles', 'site_read_only', true);
    try {
      await guestAgent.get(url()).expect(200);
      await submitForm(guestAgent, url(), { [FIELD]: 'on' }, 302).then((res) => assert.equal(res.headers.location, '/'));
      assert.equal(await showTips(guest), false, 'nothing written');
    } finally {
      await site.settings.set('projectroles', 'site_read_only', false);
    }
  });
});
