import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BadInputError } from '../../app/errors';
import type { Project, User } from '../../projectroles/entities';
import { createProject } from '../../projectroles/projects';
import type { AddEventInput, TimelineAPI } from '../../timeline/api';
import type { StatusType } from '../../timeline/entities';
import { startTestSite, type TestSite } from '../helpers/site';

interface RowCounts {
  events: number;
  statuses: number;
  refs: number;
}

describe('TimelineAPI', () => {
  let site: TestSite;
  let api: TimelineAPI;
  let owner: User;
  let other: User;
  let category: Project;
  let projectNumber = 0;

  const rowCounts = async (): Promise<RowCounts> =>
    (await site.db.dataSource.query(
      `SELECT (SELECT count(*)::int FROM timeline_event) AS events,
              (SELECT count(*)::int FROM timeline_eventstatus) AS statuses,
              (SELECT count(*)::int FROM timeline_eventobjectref) AS refs`,
    ))[0];
  const statusTypesOf = async (eventId: number): Promise<StatusType[]> =>
    (await site.db.dataSource.query('SELECT status_type FROM timeline_eventstatus WHERE event_id = $1 ORDER BY id', [eventId])).map((s: { status_type: StatusType }) => s.status_type);
  /** A project of its own per test, so that list assertions see only that test's events. */
  const freshProject = () => createProject(site.db.dataSource, { title: `Project ${++projectNumber}`, type: 'PROJECT', parent: category, owner });
  const input = (project: Project | null, fields: Partial<AddEventInput> = {}): AddEventInput => ({
    project,
    app: 'projectroles',
    user: owner,
    eventName: 'test_event',
    description: 'something happened',
    ...fields,
  });

  before(async () => {
    site = await startTestSite();
    api = site.registry.getBackendApi('timeline')!;
    owner = await site.createUser({ username: 'owner' });
    other = await site.createUser({ username: 'other' });
    category = await createProject(site.db.dataSource, { title: 'Lab', type: 'CATEGORY', parent: null, owner });
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  describe('addEvent', () => {
    it('without a status type stores exactly one status, INIT', async () => {
      const project = await freshProject();
      const { event } = await api.addEvent(input(project));
      assert.deepEqual(await statusTypesOf(event.id), ['INIT']);
      const [row] = await api.getProjectEvents(project);
      assert.equal(row!.sodar_uuid, event.sodar_uuid);
      assert.equal(row!.status_type, 'INIT');
      assert.equal(row!.status_description, 'Event initialized');
      assert.equal(row!.user_id, owner.id);
      assert.equal(row!.username, 'owner');
    });

    it('with OK stores INIT then OK, and OK is the current status', async () => {
      const project = await freshProject();
      const { event } = await api.addEvent(input(project, { statusType: 'OK', statusDesc: 'done', statusExtraData: { took: 3 } }));
      assert.deepEqual(await statusTypesOf(event.id), ['INIT', 'OK']);
      const [ok] = await site.db.dataSource.query("SELECT description, extra_data FROM timeline_eventstatus WHERE event_id = $1 AND status_type = 'OK'", [event.id]);
      assert.deepEqual(ok, { description: 'done', extra_data: { took: 3 } });
      const [row] = await api.getProjectEvents(project);
      assert.equal(row!.status_type, 'OK');
      assert.equal(row!.status_description, 'done');
    });

    for (const statusType of ['INIT', 'INFO'] as const) {
      it(`with ${statusType} stores only that status`, async () => {
        const { event } = await api.addEvent(input(await freshProject(), { statusType }));
        assert.deepEqual(await statusTypesOf(event.id), [statusType]);
      });
    }

    it('refuses an unknown app name and saves nothing', async () => {
      const project = await freshProject();
      const before = await rowCounts();
      await assert.rejects(api.addEvent(input(project, { app: 'no_such_app', statusType: 'OK', objects: [{ label: 'user', ref: { model: 'User', uuid: other.sodar_uuid }, name: 'other' }] })), (error) => {
        assert.ok(error instanceof BadInputError);
        assert.match(error.message, /app: "no_such_app" is not an installed app/);
        return true;
      });
      assert.deepEqual(await rowCounts(), before);
    });

    it('refuses an invalid status type and saves nothing', async () => {
      const project = await freshProject();
      const before = await rowCounts();
      const bad = input(project, { statusType: 'DONE' as StatusType, objects: [{ label: 'user', ref: { model: 'User', uuid: other.sodar_uuid }, name: 'other' }] });
      await assert.rejects(api.addEvent(bad), /status_type: "DONE" is not one of OK, INIT, SUBMIT, FAILED, INFO, CANCEL/);
      assert.deepEqual(await rowCounts(), before);
    });

    it('stores a null user as NULL, and a site-wide event without a project', async () => {
      const { event } = await api.addEvent(input(null, { user: null, statusType: 'INFO' }));
      const [row] = await site.db.dataSource.query('SELECT user_id, project_id FROM timeline_event WHERE id = $1', [event.id]);
      assert.deepEqual(row, { user_id: null, project_id: null });
    });

    it('stores the objects given up front, "(unnamed)" for an empty name', async () => {
      const { event } = await api.addEvent(input(await freshProject(), {
        description: 'add {user} and {thing}',
        objects: [
          { label: 'user', ref: { model: 'User', uuid: other.sodar_uuid }, name: 'other', extraData: { why: 'test' } },
          { label: 'thing', ref: { model: 'Thing', uuid: null }, name: '   ' },
        ],
      }));
      const refs = await site.db.dataSource.query('SELECT label, name, object_model, object_uuid, extra_data FROM timeline_eventobjectref WHERE event_id = $1 ORDER BY id', [event.id]);
      assert.deepEqual(refs, [
        { label: 'user', name: 'other', object_model: 'User', object_uuid: other.sodar_uuid, extra_data: { why: 'test' } },
        { label: 'thing', name: '(unnamed)', object_model: 'Thing', object_uuid: null, extra_data: {} },
      ]);
    });

    it('commits with the caller\'s transaction, and stores nothing when that transaction throws', async () => {
      const project = await freshProject();
      const before = await rowCounts();
      await assert.rejects(
        site.db.dataSource.transaction(async (manager) => {
          const handle = await api.addEvent(input(project, { statusType: 'OK', manager, description: 'add {user}', objects: [{ label: 'user', ref: { model: 'User', uuid: other.sodar_uuid }, name: 'other' }] }));
          await handle.addObject({ model: 'Project', uuid: project.sodar_uuid }, 'project', 'Project');
          await handle.setStatus('FAILED');
          throw new Error('the change failed after its event was written');
        }),
        /the change failed after its event was written/,
      );
      assert.deepEqual(await rowCounts(), before);
      assert.deepEqual(await api.getProjectEvents(project), []);
      // The control: the same calls in a transaction that commits are stored.
      await site.db.dataSource.transaction(async (manager) => {
        await api.addEvent(input(project, { statusType: 'OK', manager, description: 'add {user}', objects: [{ label: 'user', ref: { model: 'User', uuid: other.sodar_uuid }, name: 'other' }] }));
      });
      assert.deepEqual(await rowCounts(), { events: before.events + 1, statuses: before.statuses + 2, refs: before.refs + 1 });
    });
  });

  describe('an event handle', () => {
    it('setStatus adds a status that becomes the current one; an invalid type is refused', async () => {
      const project = await freshProject();
      const handle = await api.addEvent(input(project));
      await handle.setStatus('SUBMIT', 'queued', { job: 7 });
      await assert.rejects(handle.setStatus('BOGUS' as StatusType), (error) => error instanceof BadInputError && /status_type: "BOGUS"/.test(error.message));
      assert.deepEqual(await statusTypesOf(handle.event.id), ['INIT', 'SUBMIT']);
      await handle.setStatus('OK');
      assert.deepEqual(await statusTypesOf(handle.event.id), ['INIT', 'SUBMIT', 'OK']);
      const [row] = await api.getProjectEvents(project);
      assert.equal(row!.status_type, 'OK');
      assert.equal(row!.status_description, 'All OK');
    });

    it('addObject stores the reference, "(unnamed)" for an empty name', async () => {
      const handle = await api.addEvent(input(await freshProject(), { description: 'touch {obj} and {anon}' }));
      await handle.addObject({ model: 'Sample', uuid: other.sodar_uuid }, 'obj', ' Sample 1 ', { size: 2 });
      await handle.addObject({ model: 'Sample', uuid: null }, 'anon', '');
      const refs = await site.db.dataSource.query('SELECT label, name, object_model, object_uuid, extra_data FROM timeline_eventobjectref WHERE event_id = $1 ORDER BY id', [handle.event.id]);
      assert.deepEqual(refs, [
        { label: 'obj', name: 'Sample 1', object_model: 'Sample', object_uuid: other.sodar_uuid, extra_data: { size: 2 } },
        { label: 'anon', name: '(unnamed)', object_model: 'Sample', object_uuid: null, extra_data: {} },
      ]);
    });

    it('getEvent finds a stored event by UUID, and null for an unknown one', async () => {
      const handle = await api.addEvent(input(await freshProject()));
      const found = await api.getEvent(handle.event.sodar_uuid);
      assert.equal(found?.event.id, handle.event.id);
      await found!.setStatus('CANCEL');
      assert.deepEqual(await statusTypesOf(handle.event.id), ['INIT', 'CANCEL']);
      assert.equal(await api.getEvent('00000000-0000-4000-8000-000000000000'), null);
    });
  });

  describe('repeated events', () => {
    const userObject = (user: User) => ({ label: 'user', ref: { model: 'User', uuid: user.sodar_uuid }, name: user.username });

    it('shows identical events within the window as one row counting them, each still stored', async () => {
      const project = await freshProject();
      const before = await rowCounts();
      const handles = [];
      for (let i = 0; i < 3; i++) handles.push(await api.addEvent(input(project, { description: 'poke {user}', statusType: 'OK', objects: [userObject(other)] })));
      const rows = await api.getProjectEvents(project);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.group_count, 3);
      assert.equal(rows[0]!.group_uuid, handles[0]!.event.sodar_uuid, 'the group is named by its first event');
      assert.equal(rows[0]!.sodar_uuid, handles[2]!.event.sodar_uuid, 'the row shows the latest one');
      assert.deepEqual(await rowCounts(), { events: before.events + 3, statuses: before.statuses + 6, refs: before.refs + 3 });
    });

    it('groups identical events without objects or labels too', async () => {
      const project = await freshProject();
      for (let i = 0; i < 2; i++) await api.addEvent(input(project, { description: 'nightly check' }));
      const rows = await api.getProjectEvents(project);
      assert.deepEqual(rows.map((r) => r.group_count), [2]);
    });

    it('keeps events about different objects apart', async () => {
      const project = await freshProject();
      await api.addEvent(input(project, { description: 'poke {user}', objects: [userObject(other)] }));
      await api.addEvent(input(project, { description: 'poke {user}', objects: [userObject(owner)] }));
      const rows = await api.getProjectEvents(project);
      assert.deepEqual(rows.map((r) => r.group_count), [1, 1]);
    });

    it('keeps events apart whose description names objects not given up front', async () => {
      const project = await freshProject();
      for (const user of [other, owner]) {
        const handle = await api.addEvent(input(project, { description: 'poke {user}' }));
        await handle.addObject(userObject(user).ref, 'user', user.username);
      }
      const rows = await api.getProjectEvents(project);
      assert.deepEqual(rows.map((r) => r.group_count), [1, 1]);
    });

    it('keeps events apart that differ in user, name or project', async () => {
      const project = await freshProject();
      const second = await freshProject();
      await api.addEvent(input(project));
      await api.addEvent(input(project, { user: other }));
      await api.addEvent(input(project, { eventName: 'other_event' }));
      await api.addEvent(input(second));
      assert.deepEqual((await api.getProjectEvents(project)).map((r) => r.group_count), [1, 1, 1]);
      assert.deepEqual((await api.getProjectEvents(second)).map((r) => r.group_count), [1]);
    });

    it('starts a new group once the first event of a group is older than the window', async () => {
      const project = await freshProject();
      const first = await api.addEvent(input(project));
      await site.db.dataSource.query("UPDATE timeline_event SET timestamp = now() - interval '1 hour' WHERE id = $1", [first.event.id]);
      const second = await api.addEvent(input(project));
      const rows = await api.getProjectEvents(project);
      assert.deepEqual(rows.map((r) => [r.sodar_uuid, r.group_count]), [[second.event.sodar_uuid, 1], [first.event.sodar_uuid, 1]]);
    });

    it('hides classified events from getProjectEvents unless asked for them', async () => {
      const project = await freshProject();
      const open = await api.addEvent(input(project, { eventName: 'open' }));
      const secret = await api.addEvent(input(project, { eventName: 'secret', classified: true }));
      assert.deepEqual((await api.getProjectEvents(project)).map((r) => r.sodar_uuid), [open.event.sodar_uuid]);
      assert.deepEqual((await api.getProjectEvents(project, { classified: true })).map((r) => r.sodar_uuid), [secret.event.sodar_uuid, open.event.sodar_uuid]);
    });

    it('getObjectEvents lists every event about an object, repeats one by one', async () => {
      const project = await freshProject();
      for (let i = 0; i < 2; i++) await api.addEvent(input(project, { description: 'poke {user}', objects: [userObject(other)] }));
      await api.addEvent(input(project, { description: 'poke {user}', objects: [userObject(owner)] }));
      const rows = await api.getObjectEvents(project, { model: 'User', uuid: other.sodar_uuid });
      assert.equal(rows.length, 2);
    });
  });

  describe('batches and concurrent events', () => {
    it('addEvents writes a batch in one statement, in order, repeats grouped within it and with earlier events', async () => {
      const project = await freshProject();
      const earlier = await api.addEvent(input(project, { description: 'retry' }));
      const before = site.db.queries.count;
      const handles = await api.addEvents([
        input(project, { description: 'fresh', statusType: 'OK' }),
        input(project, { description: 'retry' }),
        input(project, { description: 'fresh', statusType: 'OK' }),
        input(project, { description: 'retry' }),
        input(project, { description: 'alone', statusType: 'INFO' }),
      ]);
      assert.equal(site.db.queries.count - before, 1, 'one statement for the whole batch');
      assert.deepEqual(handles.map((h) => h.event.description), ['fresh', 'retry', 'fresh', 'retry', 'alone']);
      assert.deepEqual(await statusTypesOf(handles[0]!.event.id), ['INIT', 'OK']);
      assert.deepEqual(await statusTypesOf(handles[4]!.event.id), ['INFO']);
      const rows = await api.getProjectEvents(project);
      assert.deepEqual(
        rows.map((r) => [r.description, r.group_count, r.group_uuid, r.sodar_uuid]),
        [
          ['alone', 1, handles[4]!.event.sodar_uuid, handles[4]!.event.sodar_uuid],
          ['retry', 3, earlier.event.sodar_uuid, handles[3]!.event.sodar_uuid],
          ['fresh', 2, handles[0]!.event.sodar_uuid, handles[2]!.event.sodar_uuid],
        ],
        'as if written one by one: each group where its latest event puts it; the batch\'s own group headed by its first',
      );
    });

    it('addEvents refuses the whole batch when one event is invalid, saving nothing', async () => {
      const project = await freshProject();
      const before = await rowCounts();
      await assert.rejects(api.addEvents([input(project), input(project, { app: 'no_such_app' })]), BadInputError);
      assert.deepEqual(await rowCounts(), before);
    });

    it('writes events recorded at the same time together, each resolving with its own', async () => {
      const project = await freshProject();
      const before = site.db.queries.count;
      const handles = await Promise.all(Array.from({ length: 20 }, (_, i) => api.addEvent(input(project, { description: `concurrent ${i}`, statusType: 'OK' }))));
      assert.ok(site.db.queries.count - before < 20, `fewer statements than events (${site.db.queries.count - before})`);
      assert.deepEqual(handles.map((h) => h.event.description), Array.from({ length: 20 }, (_, i) => `concurrent ${i}`));
      for (const handle of handles) assert.deepEqual(await statusTypesOf(handle.event.id), ['INIT', 'OK']);
      assert.equal((await api.getProjectEvents(project, { limit: 100 })).length, 20);
    });

    it('fails only the event that cannot be written when it is written together with others', async () => {
      const project = await freshProject();
      const doomed = await freshProject();
      await site.db.dataSource.query('DELETE FROM projectroles_project WHERE id = $1', [doomed.id]);
      const results = await Promise.allSettled([input(project), input(doomed), input(project, { eventName: 'after' })].map((i) => api.addEvent(i)));
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.equal((await api.getProjectEvents(project)).length, 2);
    });
  });

  it('builds object URLs and links for projects and the site', () => {
    const ref = { model: 'User', uuid: other.sodar_uuid };
    assert.equal(api.getObjectUrl(ref, category), `/timeline/${category.sodar_uuid}/User/${other.sodar_uuid}`);
    assert.equal(api.getObjectUrl(ref), `/timeline/site/User/${other.sodar_uuid}`);
    assert.match(api.getObjectLink(ref, category), new RegExp(`<a class="sodar-tl-object-link" href="/timeline/${category.sodar_uuid}/User/${other.sodar_uuid}"`));
  });
});
