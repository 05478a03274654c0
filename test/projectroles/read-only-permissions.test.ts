/**
 * Site read-only mode (reference core §6.4.2, apps §5.7) over the route table of the safety
 * switches × every actor of SODAR's fixture: every write (create, update, delete, archive,
 * members, leaving, starring, recording events) is denied to non-superusers, reads answer
 * as before, superusers pass everything; switching it off restores the table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ACTORS, actorAgents, buildFixture, expectedOnC, expectedOnP, type Actor, type Agent, type Fixture } from '../helpers/permission-fixture';
import { startTestSite, type TestSite } from '../helpers/site';
import { passesNormally, switchRoutes, tableMismatches, type SwitchRoute } from '../helpers/switch-routes';

describe('site read-only mode: the route × actor table', () => {
  let site: TestSite;
  let fixture: Fixture;
  let routes: SwitchRoute[];
  let clients: { agents: Map<Actor, Agent>; tokens: Map<Actor, string> };
  const onP = expectedOnP(false, false);
  const onC = expectedOnC(false, false);
  const normally = (route: SwitchRoute, actor: Actor) => passesNormally(route, actor, onP, onC);

  before(async () => {
    site = await startTestSite();
    fixture = await buildFixture(site, { publicGuest: false });
    routes = await switchRoutes(site, fixture);
    clients = await actorAgents(site, fixture.users);
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('denies every write to non-superusers and leaves reads and superusers alone', async () => {
    await site.settings.set('projectroles', 'site_read_only', true);
    const passes = (route: SwitchRoute, actor: Actor) => (route.write && actor !== 'su' ? false : normally(route, actor));
    assert.deepEqual(await tableMismatches(routes, ALL_ACTORS, clients, passes), []);
  });

  it('answers as without it once switched off', async () => {
    await site.settings.set('projectroles', 'site_read_only', false);
    assert.deepEqual(await tableMismatches(routes, ALL_ACTORS, clients, normally), []);
  });
});
