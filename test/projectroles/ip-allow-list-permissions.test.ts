/**
 * The IP allow list (reference core §6.4.4, apps §5.9) over the route table of the safety
 * switches × every actor of SODAR's fixture. Test clients connect from 127.0.0.1 (or
 * ::ffff:127.0.0.1): a list naming it, or a network holding it, answers as without one; a
 * list without it denies the project's routes to everyone but superusers and owners and
 * delegates (inherited from the category too). A spoofed X-Forwarded-For naming an allowed
 * address is ignored unless the site sits behind a proxy (TRUST_PROXY), where it is believed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_ACTORS, expectedOnC, expectedOnP, type Actor } from '../helpers/permission-fixture';
import { passesNormally, send, switchTableSuite, tableMismatches, type SwitchRoute } from '../helpers/switch-routes';
import { present } from '../helpers/present';

const EXEMPT: Actor[] = ['su', 'OC', 'DC', 'O', 'D'];
/** An address no test client connects from. */
const ELSEWHERE = '10.20.30.40';

for (const trustProxy of [false, true]) {
  describe(`IP allow list, ${trustProxy ? 'behind a trusted proxy' : 'without TRUST_PROXY'}: the route × actor table`, () => {
    const t = switchTableSuite({ env: { TRUST_PROXY: String(trustProxy) }, publicGuest: false });
    const onP = expectedOnP(false, false);
    const onC = expectedOnC(false, false);
    const normally = (route: SwitchRoute, actor: Actor) => passesNormally(route, actor, onP, onC);
    /** Outside the list: the project's routes only for the exempt. */
    const outside = (route: SwitchRoute, actor: Actor) => (route.target === 'P' && !EXEMPT.includes(actor) ? false : normally(route, actor));
    const restrict = async (on: boolean, list: string) => {
      await t.site.settings.set('projectroles', 'ip_restrict', on, { project: t.fixture.project });
      await t.site.settings.set('projectroles', 'ip_allow_list', list, { project: t.fixture.project });
    };

    it('answers as without a list when it names the client', async () => {
      await restrict(true, `${ELSEWHERE}, 127.0.0.1`);
      assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, normally), []);
    });

    it('answers as without a list when a network of it holds the client', async () => {
      await restrict(true, '192.168.0.0/16,127.0.0.0/8');
      assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, normally), []);
    });

    it('denies the project to all but superusers, owners and delegates when it does not name the client', async () => {
      await restrict(true, `${ELSEWHERE},10.0.0.0/8`);
      assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, outside), []);
    });

    it('denies with the generic message, not the access block text', async () => {
      await restrict(true, ELSEWHERE);
      const agent = present(t.clients.agents.get('G'), 'agent of G');
      const sidebar = present(t.routes.find((r) => r.name === 'sidebar P'), 'route sidebar P');
      const res = await send(agent, sidebar, present(t.clients.tokens.get('G'), 'CSRF token of G')).expect(403);
      assert.deepEqual(res.body, { detail: 'User not authorized for requested action.' });
    });

    it('an empty list denies everyone not exempt', async () => {
      await restrict(true, '');
      assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, outside), []);
    });

    it('does nothing while ip_restrict is off', async () => {
      await restrict(false, ELSEWHERE);
      assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, normally), []);
    });

    it(`${trustProxy ? 'believes' : 'ignores'} a spoofed X-Forwarded-For naming an allowed address`, async () => {
      await restrict(true, ELSEWHERE);
      const spoofed = { 'X-Forwarded-For': `${ELSEWHERE}, 127.0.0.1` };
      assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, trustProxy ? normally : outside, spoofed), []);
    });

    it(`${trustProxy ? 'believes' : 'ignores'} a spoofed Forwarded header naming an allowed address`, async () => {
      await restrict(true, ELSEWHERE);
      const rows = t.routes.filter((r) => r.target === 'P');
      const spoofed = { Forwarded: `for=${ELSEWHERE};proto=http` };
      assert.deepEqual(await tableMismatches(rows, ALL_ACTORS, t.clients, trustProxy ? normally : outside, spoofed), []);
    });
  });
}
