/**
 * Load-test events: many events at once with INSERT ... SELECT over generate_series, never
 * one statement per event, so 100,000 events take seconds. Each event gets the INIT and
 * OK statuses `addEvent` would give it, and the kinds below cycle per project, so any
 * page of a project's timeline holds every kind: users and projects to look up, an object
 * of a plugin without links, classified rows, and rows without references.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { STATUS_DESCRIPTIONS } from './entities';

/** Events per set of statements: bounds the memory a statement needs on the embedded database. */
const CHUNK = 50_000;

/** How many kinds cycle through each project's events (see KIND_SQL). */
const KINDS = 5;

export interface BulkEventsOptions {
  /** How many events to add. */
  events: number;
  /** Projects the events spread over, round-robin (ids). */
  projectIds: number[];
  /** Users who recorded them, round-robin (ids). */
  userIds: number[];
}

/**
 * The columns of event `i` (1-based within the call) of kind `k`; `$3` is the projects,
 * `$4` the users. `k` is the event's place among its project's events modulo KINDS, so
 * consecutive events of one project cycle through the kinds.
 */
const EVENT_SELECT = `
  SELECT gen_random_uuid() AS sodar_uuid, pid AS project_id, uid AS user_id, i, k,
    CASE k WHEN 2 THEN 'timeline' ELSE 'projectroles' END AS app,
    CASE k WHEN 0 THEN 'project_update' WHEN 1 THEN 'role_update' WHEN 2 THEN 'load_job'
           WHEN 3 THEN 'project_update' ELSE 'app_setting_set_api' END AS event_name,
    CASE k WHEN 0 THEN 'update project (load event ' || i || ')'
           WHEN 1 THEN 'update role "project guest" for {user}'
           WHEN 2 THEN 'run {job} on the project'
           WHEN 3 THEN 'update project {project} (title)'
           ELSE 'set a classified setting' END AS description,
    CASE k WHEN 2 THEN jsonb_build_object('attempt', i % 7) WHEN 4 THEN jsonb_build_object('setting', 'contract', 'value', i) ELSE '{}'::jsonb END AS extra_data,
    k = 4 AS classified,
    now() - make_interval(mins => $2::int - i) AS timestamp
  FROM (
    SELECT i, ($3::int[])[1 + (i - 1) % cardinality($3::int[])] AS pid, ($4::int[])[1 + (i - 1) % cardinality($4::int[])] AS uid,
      ((i - 1) / cardinality($3::int[])) % ${KINDS} AS k
    FROM generate_series($1::int, least($1::int + ${CHUNK - 1}, $2::int)) i
  ) g`;

/** Adds `options.events` events with statuses and object references; returns how many. */
export async function seedBulkEvents(dataSource: DataSource, options: BulkEventsOptions): Promise<number> {
  if (options.events <= 0) return 0;
  if (options.projectIds.length === 0 || options.userIds.length === 0) throw new Error('seedBulkEvents: needs at least one project and one user');
  await dataSource.transaction(async (manager) => {
    for (let start = 1; start <= options.events; start += CHUNK) {
      const [newest]: Array<{ id: number | null }> = await manager.query('SELECT max(id) AS id FROM timeline_event');
      const last = newest?.id ?? 0;
      const params = [start, options.events, options.projectIds, options.userIds];
      // ORDER BY i: ids and sort keys follow the event order, newest last.
      await manager.query(
        `INSERT INTO timeline_event (sodar_uuid, project_id, app, user_id, event_name, description, extra_data, classified, timestamp)
         SELECT sodar_uuid, project_id, app, user_id, event_name, description, extra_data, classified, timestamp
         FROM (${EVENT_SELECT}) e ORDER BY i`,
        params,
      );
      await insertStatuses(manager, last);
      await insertObjectRefs(manager, last);
    }
  });
  // Fresh planner statistics: the embedded database has no autovacuum to gather them.
  await dataSource.query('ANALYZE timeline_event, timeline_eventstatus, timeline_eventobjectref');
  return options.events;
}

/** INIT then OK for every event after `afterId`: two statements, so each OK has the higher id. */
async function insertStatuses(manager: EntityManager, afterId: number): Promise<void> {
  for (const [type, offset] of [['INIT', '0 seconds'], ['OK', '2 seconds']] as const) {
    await manager.query(
      `INSERT INTO timeline_eventstatus (sodar_uuid, event_id, timestamp, status_type, description)
       SELECT gen_random_uuid(), e.id, e.timestamp + interval '${offset}', $2, $3 FROM timeline_event e WHERE e.id > $1 ORDER BY e.id`,
      [afterId, type, STATUS_DESCRIPTIONS[type]],
    );
  }
}

/** The objects the descriptions name: the event's user, a job of a plugin, the project. */
async function insertObjectRefs(manager: EntityManager, afterId: number): Promise<void> {
  await manager.query(
    `INSERT INTO timeline_eventobjectref (sodar_uuid, event_id, label, name, object_model, object_uuid)
     SELECT gen_random_uuid(), e.id, r.label, r.name, r.model, r.uuid
     FROM timeline_event e
     LEFT JOIN projectroles_user u ON u.id = e.user_id
     LEFT JOIN projectroles_project p ON p.id = e.project_id
     CROSS JOIN LATERAL (
       SELECT 'user' AS label, u.username AS name, 'User' AS model, u.sodar_uuid AS uuid WHERE e.event_name = 'role_update'
       UNION ALL SELECT 'job', 'load job ' || e.id, 'LoadJob', gen_random_uuid() WHERE e.event_name = 'load_job'
       UNION ALL SELECT 'project', p.title, 'Project', p.sodar_uuid WHERE e.description LIKE '%{project}%'
     ) r
     WHERE e.id > $1 ORDER BY e.id`,
    [afterId],
  );
}
