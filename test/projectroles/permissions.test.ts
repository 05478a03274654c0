/**
 * The permission matrix of reference §6.3, rule by rule, for every actor of SODAR's test
 * fixture, on real data: category C with local roles, project P below it with its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadProjectAccess } from '../../projectroles/project-rules';
import type { ProjectRow } from '../../projectroles/projects';
import { ALL_ACTORS, buildFixture, expectedOnC, expectedOnP, type Actor, type Fixture } from '../helpers/permission-fixture';
import { startTestSite, type TestSite } from '../helpers/site';

describe('permission matrix (§6.3) on category C and project P', () => {
  for (const variant of [
    { name: 'private', publicGuest: false, allowAnonymous: false },
    { name: 'P public as guest', publicGuest: true, allowAnonymous: false },
    { name: 'P public as guest, anonymous allowed', publicGuest: true, allowAnonymous: true },
  ]) {
    describe(variant.name, () => {
      let site: TestSite;
      let fixture: Fixture;
      let users: Fixture['users'];
      let category: ProjectRow;
      let project: ProjectRow;

      before(async () => {
        site = await startTestSite({ env: { ALLOW_ANONYMOUS: String(variant.allowAnonymous) } });
        fixture = await buildFixture(site, { publicGuest: variant.publicGuest });
        ({ users, category, project } = fixture);
      });
      after(async () => {
        await site.close();
        await site.location.remove();
      });

      for (const [target, expectations] of [
        ['P', () => expectedOnP(variant.publicGuest, variant.allowAnonymous)],
        ['C', () => expectedOnC(variant.publicGuest, variant.allowAnonymous)],
      ] as const) {
        it(`gives every actor the §6.3 answer on ${target}`, async () => {
          const subject = target === 'P' ? project : category;
          const mismatches: string[] = [];
          for (const [permission, passing] of Object.entries(expectations())) {
            for (const actor of ALL_ACTORS) {
              const user = users.get(actor) ?? null;
              const access = (await loadProjectAccess(site.db.dataSource, user, [subject])).get(subject.id)!;
              const allowed = await site.rules.test(permission, user, access);
              const expected = actor === 'su' || passing.includes(actor);
              if (allowed !== expected) mismatches.push(`${permission} ${actor}: got ${allowed}, expected ${expected}`);
            }
          }
          assert.deepEqual(mismatches, []);
        });
      }

      it('resolves inherited and local roles as §1.5 says', async () => {
        const roleIn = async (actor: Actor, subject: ProjectRow) => (await loadProjectAccess(site.db.dataSource, users.get(actor)!, [subject])).get(subject.id)!.role;
        assert.deepEqual(await roleIn('OC', project), { role: 'project owner', rank: 10, inherited: true });
        assert.deepEqual(await roleIn('O', project), { role: 'project owner', rank: 10, inherited: false });
        assert.equal(await roleIn('FC', project), null, 'finder is not inherited into projects');
        assert.deepEqual(await roleIn('FC', category), { role: 'project finder', rank: 50, inherited: false });
        assert.equal(await roleIn('O', category), null);
      });
    });
  }
});
