/**
 * The list queries: one statement per page whatever the number of events, newest first,
 * paginated by key (`before`: the last row's sort_key), never by offset.
 */
import type { DataSource, EntityManager } from 'typeorm';
import type { ObjectRef } from './api';
import type { StatusType, TimelineEvent, TimelineEventObjectRef, TimelineEventStatus } from './entities';

export const PAGE_SIZE = 15;

export interface EventListOptions {
  /** Include classified events. */
  classified?: boolean;
  /** Only rows older than this sort_key (the `before` of the next page). */
  before?: number | null;
  limit?: number;
}

/** A list row: the latest event of a group of repeats (or a single event) and who and what. */
export interface EventRow extends TimelineEvent {
  project_uuid: string | null;
  project_title: string | null;
  username: string | null;
  user_name: string | null;
  user_uuid: string | null;
  status_type: StatusType | null;
  status_description: string | null;
  status_timestamp: Date | null;
  /** The shown event's object references, users joined in (null without any): descriptions need no query of their own. */
  refs: DescribedRef[] | null;
  /** The group's first event and its place in the list. */
  group_uuid: string;
  group_sort_key: number;
  group_count: number;
}

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** The event shown for a group (its latest), with user, project and current status. */
const ROW_SELECT = `
  SELECT e.*, refs.refs, h.sodar_uuid AS group_uuid, h.sort_key AS group_sort_key, h.repeat_count AS group_count,
    p.sodar_uuid AS project_uuid, p.title AS project_title,
    u.username, u.name AS user_name, u.sodar_uuid AS user_uuid,
    st.status_type, st.description AS status_description, st.timestamp AS status_timestamp
  FROM timeline_event h
  JOIN timeline_event e ON e.id = coalesce(h.latest_id, h.id)
  LEFT JOIN projectroles_project p ON p.id = e.project_id
  LEFT JOIN projectroles_user u ON u.id = e.user_id
  LEFT JOIN LATERAL (
    SELECT s.status_type, s.description, s.timestamp FROM timeline_eventstatus s
    WHERE s.event_id = e.id ORDER BY s.id DESC LIMIT 1) st ON true
  LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object(
             'id', r.id, 'sodar_uuid', r.sodar_uuid, 'event_id', r.event_id, 'label', r.label, 'name', r.name,
             'object_model', r.object_model, 'object_uuid', r.object_uuid, 'user_username', ru.username, 'user_name', ru.name)
           ORDER BY r.id) AS refs
    FROM timeline_eventobjectref r
    LEFT JOIN projectroles_user ru ON r.object_model = 'User' AND ru.sodar_uuid = r.object_uuid
    WHERE r.event_id = e.id) refs ON true`;

/** Which groups a list shows: one project's, the site-wide ones, or all. */
export type EventScope = { project: number } | 'site' | 'all';

export function eventGroups(db: Queryable, scope: EventScope, options: EventListOptions = {}): Promise<EventRow[]> {
  const where = scope === 'all' ? 'TRUE' : scope === 'site' ? 'h.project_id IS NULL' : 'h.project_id = $4';
  const params: unknown[] = [options.classified ?? false, options.before ?? null, options.limit ?? PAGE_SIZE];
  if (typeof scope === 'object') params.push(scope.project);
  return db.query(
    `${ROW_SELECT}
     WHERE h.repeat_of_id IS NULL AND ${where} AND ($1 OR NOT h.classified) AND ($2::bigint IS NULL OR h.sort_key < $2)
     ORDER BY h.sort_key DESC LIMIT $3`,
    params,
  );
}

export function eventsOfProject(db: Queryable, projectId: number, options: EventListOptions = {}): Promise<EventRow[]> {
  return eventGroups(db, { project: projectId }, options);
}

/** Every event referring to the object (repeats one by one), in a project or site-wide. */
export function eventsOfObject(db: Queryable, projectId: number | null, ref: ObjectRef, options: EventListOptions = {}): Promise<EventRow[]> {
  return db.query(
    `${ROW_SELECT.replace('JOIN timeline_event e ON e.id = coalesce(h.latest_id, h.id)', 'JOIN timeline_event e ON e.id = h.id')}
     WHERE h.project_id IS NOT DISTINCT FROM $1 AND ($2 OR NOT h.classified) AND ($3::bigint IS NULL OR h.sort_key < $3)
       AND h.id IN (SELECT r.event_id FROM timeline_eventobjectref r WHERE r.object_uuid = $5 AND r.object_model = $6)
     ORDER BY h.sort_key DESC LIMIT $4`,
    [projectId, options.classified ?? false, options.before ?? null, options.limit ?? PAGE_SIZE, ref.uuid, ref.model],
  );
}

/** One event by UUID, shaped as a list row of its own. */
export async function eventByUuid(db: Queryable, uuid: string): Promise<EventRow | null> {
  const rows: EventRow[] = await db.query(`${ROW_SELECT.replace('coalesce(h.latest_id, h.id)', 'h.id')} WHERE h.sodar_uuid = $1`, [uuid]);
  return rows[0] ?? null;
}

/** The list row an event shows in: its group's (the head's, showing the latest repeat). */
export async function groupRowOf(db: Queryable, eventUuid: string): Promise<EventRow | null> {
  const rows: EventRow[] = await db.query(
    `${ROW_SELECT} WHERE h.id = (SELECT coalesce(x.repeat_of_id, x.id) FROM timeline_event x WHERE x.sodar_uuid = $1)`,
    [eventUuid],
  );
  return rows[0] ?? null;
}

export function objectRefsOf(db: Queryable, eventIds: number[]): Promise<TimelineEventObjectRef[]> {
  if (eventIds.length === 0) return Promise.resolve([]);
  return db.query('SELECT * FROM timeline_eventobjectref WHERE event_id = ANY ($1::int[]) ORDER BY id', [eventIds]);
}

/** A reference with, for User references, the user it names (null when deleted). */
export interface DescribedRef extends TimelineEventObjectRef {
  user_username: string | null;
  user_name: string | null;
}

/** References of the events, users already joined in (one statement for both). */
export function describedRefsOf(db: Queryable, eventIds: number[]): Promise<DescribedRef[]> {
  if (eventIds.length === 0) return Promise.resolve([]);
  return db.query(
    `SELECT r.*, u.username AS user_username, u.name AS user_name
     FROM timeline_eventobjectref r
     LEFT JOIN projectroles_user u ON r.object_model = 'User' AND u.sodar_uuid = r.object_uuid
     WHERE r.event_id = ANY ($1::int[]) ORDER BY r.id`,
    [eventIds],
  );
}

export function statusesOf(db: Queryable, eventIds: number[]): Promise<TimelineEventStatus[]> {
  if (eventIds.length === 0) return Promise.resolve([]);
  return db.query('SELECT * FROM timeline_eventstatus WHERE event_id = ANY ($1::int[]) ORDER BY id DESC', [eventIds]);
}

export async function statusByUuid(db: Queryable, uuid: string): Promise<(TimelineEventStatus & { event_uuid: string }) | null> {
  const rows: Array<TimelineEventStatus & { event_uuid: string }> = await db.query(
    'SELECT s.*, e.sodar_uuid AS event_uuid FROM timeline_eventstatus s JOIN timeline_event e ON e.id = s.event_id WHERE s.sodar_uuid = $1',
    [uuid],
  );
  return rows[0] ?? null;
}
