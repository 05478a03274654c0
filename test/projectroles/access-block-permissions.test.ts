/**
 * The project access block (reference core §6.4.3, apps §5.8) over the route table of the
 * safety switches × every actor of SODAR's fixture: every URL of the blocked project (pages,
 * Ajax, REST, a plugin's project routes) is denied to every non-superuser, its owner and
 * public access included, pages with SODAR's message and JSON with it less the final period;
 * the category above answers as before; unblocking restores the table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCESS_BLOCKED_MESSAGE } from '../../projectroles/project-access';
import { ALL_ACTORS, expectedOnC, expectedOnP, type Actor } from '../helpers/permission-fixture';
import { passesNormally, send, switchTableSuite, tableMismatches, TIMELINE_ACCEPT, type SwitchRoute } from '../helpers/switch-routes';
import { present } from '../helpers/present';

for (const variant of [
  { name: 'private', publicGuest: false },
  { name: 'public as guest', publicGuest: true },
]) {
  describe(`project access block, ${variant.name}: the route × actor table`, () => {
    const t = switchTableSuite({ publicGuest: variant.publicGuest });
    const onP = expectedOnP(variant.publicGuest, false);
    const onC = expectedOnC(variant.publicGuest, false);
    const normally = (route: SwitchRoute, actor: Actor) => passesNormally(route, actor, onP, onC);
    const block = (on: boolean) => t.site.settings.set('projectroles', 'project_access_block', on, { project: t.fixture.project });

    it("denies every route of the project to everyone but superusers, and leaves the category's alone", async () => {
      await block(true);
      const passes = (route: SwitchRoute, actor: Actor) => (route.target === 'P' && actor !== 'su' ? false : normally(route, actor));
      assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, passes), []);
    });

    it("says why: the page's message at home, JSON's without the final period", async () => {
      await block(true);
      const jsonMessage = ACCESS_BLOCKED_MESSAGE.slice(0, -1);
      assert.equal(jsonMessage, 'Access to project temporarily blocked by an administrator, please try again later');
      const byName = (name: string) => present(t.routes.find((r) => r.name === name), `route ${name}`);
      for (const actor of ['O', 'G', 'N'] as const) {
        const agent = present(t.clients.agents.get(actor), `agent of ${actor}`);
        const token = present(t.clients.tokens.get(actor), `CSRF token of ${actor}`);
        await send(agent, byName('detail P'), token).expect(302).expect('Location', '/');
        assert.ok((await agent.get('/').expect(200)).text.includes(ACCESS_BLOCKED_MESSAGE), `${actor} sees the message at home`);
        for (const name of ['sidebar P', 'timeline card P', 'timeline REST list P']) {
          const res = await send(agent, byName(name), token).expect(403);
          assert.deepEqual(res.body, { detail: jsonMessage }, `${name} as ${actor}`);
        }
      }
    });

    it("denies the project's events reached by their own UUID (timeline event detail, REST retrieve) to everyone but superusers", async () => {
      await block(true);
      const [event]: Array<{ sodar_uuid: string }> = await t.site.db.dataSource.query(
        'SELECT sodar_uuid FROM timeline_event WHERE project_id = $1 AND NOT classified LIMIT 1',
        [t.fixture.project.id],
      );
      assert.ok(event, 'the fixture recorded an event in the project');
      for (const actor of ['O', 'G', 'su'] as const) {
        const agent = present(t.clients.agents.get(actor), `agent of ${actor}`);
        const expected = actor === 'su' ? 200 : 403;
        await agent.get(`/timeline/ajax/detail/${event.sodar_uuid}`).expect(expected);
        await agent.get(`/timeline/api/retrieve/${event.sodar_uuid}`).set('Accept', TIMELINE_ACCEPT).expect(expected);
      }
      await block(false);
      await present(t.clients.agents.get('O'), 'agent of O').get(`/timeline/ajax/detail/${event.sodar_uuid}`).expect(200);
    });

    it('answers as without it once unblocked', async () => {
      await block(false);
      assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, normally), []);
    });

    it('cannot be set on a category', async () => {
      await assert.rejects(t.site.settings.set('projectroles', 'project_access_block', true, { project: t.fixture.category }), /Project type CATEGORY not allowed/);
    });
  });
}
