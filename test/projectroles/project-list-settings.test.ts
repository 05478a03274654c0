/**
 * The project list and projectroles' settings (reference core §6.4.3, apps §5.8, core §2.10):
 * a blocked project is listed `blocked: true, access: false` to everyone but superusers
 * (who keep access); a top-level category with category_public_stats is listed, with
 * access, to every logged-in user, as the rules let them open it; a category below does
 * not gain it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createProject } from '../../projectroles/projects';
import { actorAgents, buildFixture, type Actor, type Agent, type Fixture } from '../helpers/permission-fixture';
import { anonymous, startTestSite, type TestSite } from '../helpers/site';
import { present } from '../helpers/present';

interface Listed {
  uuid: string;
  access: boolean;
  blocked: boolean;
}

describe('the project list and projectroles settings', () => {
  let site: TestSite;
  let fixture: Fixture;
  let agents: Map<Actor, Agent>;

  const list = async (actor: Actor, parent?: string): Promise<Listed[]> => {
    const res = await present(agents.get(actor), `agent of ${actor}`).get(`/project/ajax/list${parent ? `?parent=${parent}` : ''}`).expect(200);
    return (res.body as { projects: Listed[] }).projects;
  };
  const entry = async (actor: Actor, uuid: string, parent?: string) => {
    const found = (await list(actor, parent)).find((p) => p.uuid === uuid);
    return found ? { access: found.access, blocked: found.blocked } : null;
  };

  before(async () => {
    site = await startTestSite();
    // P public as guest: the block must shut out public access too.
    fixture = await buildFixture(site, { publicGuest: true });
    ({ agents } = await actorAgents(site, fixture.users));
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('lists a blocked project without access to all but superusers', async () => {
    const c = fixture.category.sodar_uuid;
    const p = fixture.project.sodar_uuid;
    assert.deepEqual(await entry('O', p, c), { access: true, blocked: false });
    await site.settings.set('projectroles', 'project_access_block', true, { project: fixture.project });
    for (const actor of ['OC', 'O', 'D', 'G', 'N'] as const) assert.deepEqual(await entry(actor, p, c), { access: false, blocked: true }, actor);
    assert.deepEqual(await entry('su', p, c), { access: true, blocked: true });
    await site.settings.set('projectroles', 'project_access_block', false, { project: fixture.project });
    assert.deepEqual(await entry('N', p, c), { access: true, blocked: false });
  });

  it('lists a top-level category with public statistics to every logged-in user, with access', async () => {
    const c = fixture.category.sodar_uuid;
    // N (no roles) sees the category only through the public project below it: make that private.
    await site.db.dataSource.query('UPDATE projectroles_project SET public_access_id = NULL WHERE id = $1', [fixture.project.id]);
    await site.db.dataSource.query('UPDATE projectroles_project SET has_public_children = false WHERE id = $1', [fixture.category.id]);
    assert.equal(await entry('N', c), null, 'not listed without public stats');
    await present(agents.get('N'), 'agent of N').get(`/project/${c}`).expect(302);

    await site.settings.set('projectroles', 'category_public_stats', true, { project: fixture.category });
    assert.deepEqual(await entry('N', c), { access: true, blocked: false });
    await present(agents.get('N'), 'agent of N').get(`/project/${c}`).expect(200);
    await anonymous(site.app).get('/project/ajax/list').expect(403);

    // Below the top level the setting gives nothing (SODAR refuses it there in forms and REST).
    const sub = await createProject(site.db.dataSource, { title: 'Sub', type: 'CATEGORY', parent: fixture.category, owner: present(fixture.users.get('OC'), 'user of OC') });
    await site.settings.set('projectroles', 'category_public_stats', true, { project: sub });
    assert.equal(await entry('N', sub.sodar_uuid, c), null, 'a lower category is not listed');
    await present(agents.get('N'), 'agent of N').get(`/project/${sub.sodar_uuid}`).expect(302);
  });
});
