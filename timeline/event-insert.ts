/**
 * Writes events — with their statuses, object references, repeat grouping and a NOTIFY
 * each — in ONE statement however many there are, so a batch is as atomic as one event and
 * costs one round trip. Inputs are checked by TimelineAPI before they come here.
 */
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import type { AddEventInput, EventObject } from './api';
import { STATUS_DESCRIPTIONS, type TimelineEvent } from './entities';

/** NOTIFY channel of new events and status changes; payload `{"project": uuid|null, "event": uuid}`. */
export const TIMELINE_CHANNEL = 'timeline_event';

type Queryable = Pick<DataSource | EntityManager, 'query'>;

/**
 * Identical events (same project, app, user, name, description, classification and
 * objects) share a key and are grouped in lists when they come within the repeat window.
 * A description naming objects that are not given up front is never grouped: two events
 * with the same text could be about different objects.
 */
function repeatKey(input: AddEventInput): string | null {
  const objects = input.objects ?? [];
  const referencesObjects = /\{.*?\}/.test(input.description);
  if (referencesObjects && objects.length === 0) return null;
  const identity = [input.project?.id ?? null, input.app, input.plugin ?? null, input.user?.id ?? null, input.eventName, input.description, input.classified ?? false, objects.map((o) => [o.label, o.ref.model, o.ref.uuid])];
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** The INIT status first unless the given status is INIT or INFO (reference §3.2), then the given one. */
function statusRows(input: AddEventInput) {
  const statuses = [];
  if (input.statusType !== 'INIT' && input.statusType !== 'INFO') statuses.push({ uuid: uuidv4(), type: 'INIT', description: STATUS_DESCRIPTIONS.INIT, extra: {} });
  if (input.statusType) statuses.push({ uuid: uuidv4(), type: input.statusType, description: input.statusDesc ?? STATUS_DESCRIPTIONS[input.statusType], extra: input.statusExtraData ?? {} });
  return statuses.map((status, n) => ({ ...status, n }));
}

function objectRows(objects: EventObject[]) {
  return objects.map((o, n) => ({ uuid: uuidv4(), label: o.label, name: o.name.trim() || '(unnamed)', model: o.ref.model, object_uuid: o.ref.uuid, extra: o.extraData ?? {}, n }));
}

function eventRow(input: AddEventInput, ord: number) {
  const uuid = uuidv4();
  return {
    ord,
    uuid,
    project_id: input.project?.id ?? null,
    app: input.app,
    plugin: input.plugin ?? null,
    user_id: input.user?.id ?? null,
    event_name: input.eventName,
    description: input.description,
    extra_data: input.extraData ?? {},
    classified: input.classified ?? false,
    repeat_key: repeatKey(input),
    statuses: statusRows(input),
    objects: objectRows(input.objects ?? []),
    notify: JSON.stringify({ project: input.project?.sodar_uuid ?? null, event: uuid }),
  };
}

/**
 * Ids and list positions (sort keys) are drawn first, in input order, so that an event
 * repeating one earlier in the same batch can point at it and the lists come out as if the
 * events had been written one by one. A repeat joins the newest group of its key within the
 * window, or the first of its kind in the batch, which then heads the group; a group takes
 * the list position of its latest event.
 */
const INSERT_EVENTS = `
  WITH input AS MATERIALIZED (
    SELECT i.*, nextval('timeline_event_id_seq')::int AS id, nextval('timeline_event_sort_key') AS sk
    FROM jsonb_to_recordset($1::jsonb) AS i(ord int, uuid uuid, project_id int, app text, plugin text, user_id int, event_name text,
      description text, extra_data jsonb, classified boolean, repeat_key text, statuses jsonb, objects jsonb, notify text)),
  heads AS (
    SELECT k.repeat_key, h.id
    FROM (SELECT DISTINCT repeat_key FROM input WHERE repeat_key IS NOT NULL) k
    CROSS JOIN LATERAL (
      SELECT id FROM timeline_event
      WHERE repeat_key = k.repeat_key AND repeat_of_id IS NULL AND timestamp > now() - make_interval(secs => $2)
      ORDER BY sort_key DESC LIMIT 1) h),
  grouped AS (
    SELECT i.*, h.id AS old_head, first_value(i.id) OVER w AS batch_head, count(*) OVER w AS batch_count,
      last_value(i.id) OVER w AS batch_latest, last_value(i.sk) OVER w AS batch_last_sk
    FROM input i LEFT JOIN heads h ON h.repeat_key = i.repeat_key
    WINDOW w AS (PARTITION BY coalesce(i.repeat_key, i.uuid::text) ORDER BY i.ord ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)),
  ev AS (
    INSERT INTO timeline_event (id, sodar_uuid, project_id, app, plugin, user_id, event_name, description, extra_data, classified,
      repeat_key, repeat_of_id, repeat_count, latest_id, sort_key)
    SELECT id, uuid, project_id, app, plugin, user_id, event_name, description, extra_data, classified, repeat_key,
      coalesce(old_head, nullif(batch_head, id)),
      CASE WHEN old_head IS NULL AND batch_head = id THEN batch_count ELSE 1 END,
      CASE WHEN old_head IS NULL AND batch_head = id AND batch_count > 1 THEN batch_latest END,
      CASE WHEN old_head IS NULL AND batch_head = id THEN batch_last_sk ELSE sk END
    FROM grouped ORDER BY ord
    RETURNING *),
  bump AS (
    UPDATE timeline_event h SET repeat_count = h.repeat_count + g.n, latest_id = g.latest, sort_key = g.sk
    FROM (SELECT old_head, count(*) AS n, max(batch_latest) AS latest, max(batch_last_sk) AS sk FROM grouped WHERE old_head IS NOT NULL GROUP BY old_head) g
    -- By primary key: the planner takes a batch for 100 rows and would rather scan the table.
    WHERE h.id = ANY (ARRAY(SELECT old_head FROM grouped WHERE old_head IS NOT NULL)) AND h.id = g.old_head
    RETURNING h.id),
  statuses AS (
    INSERT INTO timeline_eventstatus (sodar_uuid, event_id, status_type, description, extra_data)
    SELECT s.uuid, g.id, s.type, s.description, s.extra
    FROM grouped g, jsonb_to_recordset(g.statuses) AS s(n int, uuid uuid, type text, description text, extra jsonb)
    ORDER BY g.ord, s.n
    RETURNING id),
  objects AS (
    INSERT INTO timeline_eventobjectref (sodar_uuid, event_id, label, name, object_model, object_uuid, extra_data)
    SELECT o.uuid, g.id, o.label, o.name, o.model, o.object_uuid, o.extra
    FROM grouped g, jsonb_to_recordset(g.objects) AS o(n int, uuid uuid, label text, name text, model text, object_uuid uuid, extra jsonb)
    ORDER BY g.ord, o.n
    RETURNING id)
  SELECT ev.*, pg_notify('${TIMELINE_CHANNEL}', g.notify) AS notified
  FROM ev JOIN grouped g ON g.id = ev.id
  ORDER BY g.ord`;

/** Inserts the events in one statement, all or none; answers the stored events in input order. */
export async function insertEvents(db: Queryable, inputs: AddEventInput[], repeatWindowSeconds: number): Promise<TimelineEvent[]> {
  const rows: Array<TimelineEvent & { notified: unknown }> = await db.query(INSERT_EVENTS, [JSON.stringify(inputs.map(eventRow)), repeatWindowSeconds]);
  return rows.map(({ notified: _notified, ...event }) => event);
}
