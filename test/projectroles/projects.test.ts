import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../../projectroles/entities';
import { createProject, projectsByUuid } from '../../projectroles/projects';
import { startTestSite, type TestSite } from '../helpers/site';

describe('creating projects', () => {
  let site: TestSite;
  let owner: User;
  const count = async (table: string) => (await site.db.dataSource.query(`SELECT count(*) AS n FROM ${table}`))[0].n as number;

  before(async () => {
    site = await startTestSite();
    owner = await site.createUser({ username: 'owner' });
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('builds the tree: ancestors, full title, owner, public children', async () => {
    const ds = site.db.dataSource;
    const top = await createProject(ds, { title: 'Top', type: 'CATEGORY', parent: null, owner });
    const sub = await createProject(ds, { title: 'Sub', type: 'CATEGORY', parent: top, owner });
    const project = await createProject(ds, { title: 'Leaf', type: 'PROJECT', parent: sub, owner, publicAccess: 'project viewer' });
    assert.deepEqual(project.ancestor_ids, [top.id, sub.id]);
    assert.equal(project.full_title, 'Top / Sub / Leaf');
    const rows = await projectsByUuid(ds, [top.sodar_uuid, project.sodar_uuid]);
    assert.equal(rows.find((r) => r.id === top.id)!.has_public_children, true);
    assert.equal(rows.find((r) => r.id === project.id)!.public_role, 'project viewer');
    const [assignment] = await ds.query(
      `SELECT r.name FROM projectroles_roleassignment ra JOIN projectroles_role r ON r.id = ra.role_id WHERE ra.project_id = $1 AND ra.user_id = $2`,
      [project.id, owner.id],
    );
    assert.equal(assignment.name, 'project owner');
  });

  it('refuses bad titles, nesting under a project, duplicates and public categories with a message naming the field', async () => {
    const ds = site.db.dataSource;
    const top = await createProject(ds, { title: 'Rules', type: 'CATEGORY', parent: null, owner });
    const project = await createProject(ds, { title: 'P', type: 'PROJECT', parent: top, owner });
    await assert.rejects(createProject(ds, { title: 'a / b', type: 'PROJECT', parent: top, owner }), /title: may not contain " \/ "/);
    await assert.rejects(createProject(ds, { title: 'Rules', type: 'PROJECT', parent: top, owner }), /title: may not equal the parent title/);
    await assert.rejects(createProject(ds, { title: 'Nested', type: 'PROJECT', parent: project, owner }), /parent: only categories may have children/);
    await assert.rejects(createProject(ds, { title: 'P', type: 'PROJECT', parent: top, owner }), /title: "P" exists already in Rules/);
    await assert.rejects(createProject(ds, { title: 'Rules', type: 'CATEGORY', parent: null, owner }), /exists already at the top level/);
    await assert.rejects(createProject(ds, { title: 'Open', type: 'CATEGORY', parent: top, owner, publicAccess: 'project guest' }), /public_access: only projects/);
  });

  it('leaves nothing behind when a step inside the transaction fails', async () => {
    const projects = await count('projectroles_project');
    const assignments = await count('projectroles_roleassignment');
    await assert.rejects(
      createProject(site.db.dataSource, { title: 'Doomed', type: 'CATEGORY', parent: null, owner }, async () => {
        throw new Error('timeline write failed half way');
      }),
      /timeline write failed half way/,
    );
    assert.equal(await count('projectroles_project'), projects);
    assert.equal(await count('projectroles_roleassignment'), assignments);
  });
});
