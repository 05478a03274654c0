/**
 * Site read-only mode (reference core §6.4.2, apps §5.7) over the route table of the safety
 * switches × every actor of SODAR's fixture: every write (create, update, delete, archive,
 * members, leaving, starring, recording events) is denied to non-superusers, reads answer
 * as before, superusers pass everything; switching it off restores the table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALL_ACTORS, expectedOnC, expectedOnP, type Actor } from '../helpers/permission-fixture';
import { passesNormally, switchTableSuite, tableMismatches, type SwitchRoute } from '../helpers/switch-routes';

describe('site read-only mode: the route × actor table', () => {
  const t = switchTableSuite({ publicGuest: false });
  const onP = expectedOnP(false, false);
  const onC = expectedOnC(false, false);
  const normally = (route: SwitchRoute, actor: Actor) => passesNormally(route, actor, onP, onC);

  it('denies every write to non-superusers and leaves reads and superusers alone', async () => {
    await t.site.settings.set('projectroles', 'site_read_only', true);
    const passes = (route: SwitchRoute, actor: Actor) => (route.write && actor !== 'su' ? false : normally(route, actor));
    assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, passes), []);
  });

  it('answers as without it once switched off', async () => {
    await t.site.settings.set('projectroles', 'site_read_only', false);
    assert.deepEqual(await tableMismatches(t.routes, ALL_ACTORS, t.clients, normally), []);
  });
});
