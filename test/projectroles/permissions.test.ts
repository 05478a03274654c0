/**
 * The permission matrix of reference §6.3, rule by rule, for every actor of SODAR's test
 * fixture, on real data: category C with local roles, project P below it with its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RoleName, User } from '../../projectroles/entities';
import { loadProjectAccess } from '../../projectroles/project-rules';
import { assignRole, createProject, projectsByUuid, type ProjectRow } from '../../projectroles/projects';
import { startTestSite, type TestSite } from '../helpers/site';

const CATEGORY_ACTORS = { OC: 'owner_cat', DC: 'delegate_cat', CC: 'contributor_cat', GC: 'guest_cat', VC: 'viewer_cat', FC: 'finder_cat' } as const;
const PROJECT_ACTORS = { O: 'owner', D: 'delegate', Co: 'contributor', G: 'guest', V: 'viewer' } as const;
type Actor = keyof typeof CATEGORY_ACTORS | keyof typeof PROJECT_ACTORS | 'N' | 'A' | 'su';
const ALL: Actor[] = ['su', 'OC', 'DC', 'CC', 'GC', 'VC', 'FC', 'O', 'D', 'Co', 'G', 'V', 'N', 'A'];

const ROLE_OF: Record<string, RoleName> = {
  OC: 'project owner', DC: 'project delegate', CC: 'project contributor', GC: 'project guest', VC: 'project viewer', FC: 'project finder',
  O: 'project owner', D: 'project delegate', Co: 'project contributor', G: 'project guest', V: 'project viewer',
};

/** Who passes, per permission, on P and on C (su always passes). */
function expectedOnP(publicGuest: boolean, allowAnonymous: boolean): Record<string, Actor[]> {
  // Public access is a role for every authenticated user: N, and FC (who has none in P), too.
  const viewers: Actor[] = ['OC', 'DC', 'CC', 'GC', 'VC', 'O', 'D', 'Co', 'G', 'V', ...(publicGuest ? (['N', 'FC'] as Actor[]) : [])];
  return {
    'projectroles.view_project': [...viewers, ...(publicGuest && allowAnonymous ? (['A'] as Actor[]) : [])],
    'projectroles.view_project_roles': [...viewers, ...(publicGuest && allowAnonymous ? (['A'] as Actor[]) : [])],
    'projectroles.update_project': ['OC', 'DC', 'O', 'D'],
    'projectroles.delete_project': ['OC', 'DC', 'O', 'D'],
    'projectroles.update_project_members': ['OC', 'DC', 'O', 'D'],
    'projectroles.invite_users': ['OC', 'DC', 'O', 'D'],
    'projectroles.view_project_settings': ['OC', 'DC', 'O', 'D'],
    'projectroles.update_project_settings': ['OC', 'DC', 'O', 'D'],
    'projectroles.update_project_owner': ['OC', 'O'],
    'projectroles.update_project_delegate': ['OC', 'O'],
    'projectroles.star_project': viewers,
  };
}

function expectedOnC(publicChild: boolean, allowAnonymous: boolean): Record<string, Actor[]> {
  const categoryMembers: Actor[] = ['OC', 'DC', 'CC', 'GC', 'VC', 'FC'];
  const childMembers: Actor[] = ['O', 'D', 'Co', 'G', 'V'];
  const viewers = [...categoryMembers, ...childMembers, ...(publicChild ? (['N'] as Actor[]) : [])];
  return {
    'projectroles.view_project': [...viewers, ...(publicChild && allowAnonymous ? (['A'] as Actor[]) : [])],
    'projectroles.view_project_roles': categoryMembers,
    'projectroles.create_project': ['OC', 'DC', 'CC'],
    'projectroles.update_project': ['OC', 'DC'],
    'projectroles.delete_project': ['OC', 'DC'],
    'projectroles.update_project_members': ['OC', 'DC'],
    'projectroles.invite_users': ['OC', 'DC'],
    'projectroles.update_project_owner': ['OC'],
    'projectroles.update_project_delegate': ['OC'],
    'projectroles.star_project': viewers,
  };
}

describe('permission matrix (§6.3) on category C and project P', () => {
  for (const variant of [
    { name: 'private', publicGuest: false, allowAnonymous: false },
    { name: 'P public as guest', publicGuest: true, allowAnonymous: false },
    { name: 'P public as guest, anonymous allowed', publicGuest: true, allowAnonymous: true },
  ]) {
    describe(variant.name, () => {
      let site: TestSite;
      const users = new Map<Actor, User | null>();
      let category: ProjectRow;
      let project: ProjectRow;

      before(async () => {
        site = await startTestSite({ env: { ALLOW_ANONYMOUS: String(variant.allowAnonymous) } });
        const ds = site.db.dataSource;
        for (const [actor, username] of [...Object.entries(CATEGORY_ACTORS), ...Object.entries(PROJECT_ACTORS), ['N', 'no_roles'], ['su', 'superuser']]) {
          users.set(actor as Actor, await site.createUser({ username: username!, isSuperuser: actor === 'su' }));
        }
        users.set('A', null);
        const c = await createProject(ds, { title: 'TestCategory', type: 'CATEGORY', parent: null, owner: users.get('OC')! });
        const p = await createProject(ds, {
          title: 'TestProject', type: 'PROJECT', parent: c, owner: users.get('O')!, publicAccess: variant.publicGuest ? 'project guest' : null,
        });
        for (const actor of ['DC', 'CC', 'GC', 'VC', 'FC'] as const) await assignRole(ds, c, users.get(actor)!, ROLE_OF[actor]!);
        for (const actor of ['D', 'Co', 'G', 'V'] as const) await assignRole(ds, p, users.get(actor)!, ROLE_OF[actor]!);
        const rows = await projectsByUuid(ds, [c.sodar_uuid, p.sodar_uuid]);
        category = rows.find((row) => row.id === c.id)!;
        project = rows.find((row) => row.id === p.id)!;
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
            for (const actor of ALL) {
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
