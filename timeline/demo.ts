/**
 * A history for the demo projects (`npm run seed -- --demo`): their creation and members,
 * updates, a job that was submitted and finished, a retry loop shown as one row, a
 * classified event and a site-wide one, spread over the past weeks.
 */
import type { DataSource } from 'typeorm';
import type { Project, User } from '../projectroles/entities';
import type { TimelineAPI, EventObject } from './api';

const who = (label: string, user: User): EventObject => ({ label, ref: { model: 'User', uuid: user.sodar_uuid }, name: user.username });

interface DemoEvent {
  project: string | null;
  user: string;
  eventName: string;
  description: string;
  objects?: Array<[label: string, username: string]>;
  app?: string;
  status?: 'OK' | 'INFO' | 'FAILED' | 'SUBMIT';
  then?: 'OK';
  classified?: boolean;
  extraData?: Record<string, unknown>;
  repeat?: number;
}

const HISTORY: DemoEvent[] = [
  { project: 'Genomics', user: 'alice', eventName: 'project_create', description: 'create category with {owner} as owner', objects: [['owner', 'alice']] },
  { project: 'Genomics', user: 'alice', eventName: 'role_create', description: 'create role "project contributor" for {user}', objects: [['user', 'carol']] },
  { project: 'Rare Disease Exomes', user: 'alice', eventName: 'project_create', description: 'create project with {owner} as owner', objects: [['owner', 'alice']] },
  { project: 'Rare Disease Exomes', user: 'alice', eventName: 'role_create', description: 'create role "project delegate" for {user}', objects: [['user', 'bob']] },
  { project: 'Rare Disease Exomes', user: 'bob', eventName: 'role_create', description: 'create role "project guest" for {user}', objects: [['user', 'dave']] },
  { project: 'Rare Disease Exomes', user: 'alice', eventName: 'project_update', description: 'update project (readme)' },
  { project: 'Rare Disease Exomes', user: 'bob', eventName: 'sample_import', app: 'example_backend_app', description: 'import 120 family samples', status: 'SUBMIT', then: 'OK', extraData: { families: 120, pipeline: 'GATK' } },
  { project: 'Rare Disease Exomes', user: 'bob', eventName: 'irods_sync', app: 'example_backend_app', description: 'sync results to the archive', status: 'FAILED', repeat: 4 },
  { project: 'Rare Disease Exomes', user: 'alice', eventName: 'app_setting_set_api', description: 'set the sequencing contract number', status: 'OK', classified: true, extraData: { contract: 'RD-2026-17' } },
  { project: 'Cancer Panels', user: 'bob', eventName: 'project_create', description: 'create project with {owner} as owner', objects: [['owner', 'bob']] },
  { project: 'Cancer Panels', user: 'bob', eventName: 'project_update', description: 'update project (public_access)' },
  { project: 'Imaging', user: 'bob', eventName: 'project_create', description: 'create category with {owner} as owner', objects: [['owner', 'bob']] },
  { project: 'Cell Atlas', user: 'bob', eventName: 'project_create', description: 'create project with {owner} as owner', objects: [['owner', 'bob']] },
  { project: 'Cell Atlas', user: 'bob', eventName: 'role_create', description: 'create role "project contributor" for {user}', objects: [['user', 'alice']] },
  { project: null, user: 'admin', eventName: 'user_create', description: 'create user {user}', objects: [['user', 'erin']], status: 'INFO' },
];

/** Adds the history once (skipped when the demo projects already have events); returns how many events. */
export async function seedDemoEvents(api: TimelineAPI, dataSource: DataSource): Promise<number> {
  const projects = new Map<string, Project>((await dataSource.query('SELECT * FROM projectroles_project WHERE title = ANY ($1)', [[...new Set(HISTORY.flatMap((e) => (e.project ? [e.project] : [])))]])).map((p: Project) => [p.title, p]));
  const genomics = projects.get('Genomics');
  if (!genomics) return 0;
  const [seen] = await dataSource.query('SELECT count(*) AS n FROM timeline_event WHERE project_id = $1', [genomics.id]);
  if (seen.n > 0) return 0;
  const users = new Map<string, User>((await dataSource.query('SELECT * FROM projectroles_user')).map((u: User) => [u.username, u]));
  const [{ first }] = await dataSource.query('SELECT coalesce(max(id), 0) + 1 AS first FROM timeline_event');
  let added = 0;
  for (const item of HISTORY) {
    for (let i = 0; i < (item.repeat ?? 1); i += 1) {
      const handle = await api.addEvent({
        project: item.project ? projects.get(item.project)! : null,
        app: item.app ?? 'projectroles',
        user: users.get(item.user) ?? null,
        eventName: item.eventName,
        description: item.description,
        objects: (item.objects ?? []).flatMap(([label, username]) => (users.has(username) ? [who(label, users.get(username)!)] : [])),
        statusType: item.status ?? 'OK',
        classified: item.classified,
        extraData: item.extraData,
      });
      if (item.then) await handle.setStatus(item.then);
      added += 1;
    }
  }
  // Spread the history over the past weeks, oldest first; repeats stay seconds apart, and
  // statuses follow their event by seconds.
  await dataSource.query(
    `UPDATE timeline_event e SET timestamp = now() - (r.age * interval '31 hours') + (e.id - r.head) * interval '20 seconds'
     FROM (SELECT id, coalesce(repeat_of_id, id) AS head, dense_rank() OVER (ORDER BY coalesce(repeat_of_id, id) DESC) - 1 AS age
           FROM timeline_event WHERE id >= $1) r
     WHERE e.id = r.id`,
    [first],
  );
  await dataSource.query(
    `UPDATE timeline_eventstatus s SET timestamp = e.timestamp + (s.id - (SELECT min(id) FROM timeline_eventstatus x WHERE x.event_id = e.id)) * interval '40 seconds'
     FROM timeline_event e WHERE e.id = s.event_id AND e.id >= $1`,
    [first],
  );
  return added;
}
