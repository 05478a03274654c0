/**
 * Timeline REST API (reference §3.4; SODAR's paths, media type and event JSON), plus
 * `POST /timeline/api/create/<project>` so scripts and pipelines can record their work.
 */
import type { NextFunction, Request, Response } from 'express';
import { BadInputError, PermissionDeniedError } from '../app/errors';
import { pageNumber, refuseEmptyPage } from '../app/pagination';
import { negotiateVersion, requireApiUser, type MediaTypeSpec } from '../app/rest';
import type { User } from '../projectroles/entities';
import { statusTypeOf, type AddEventInput, type TimelineAPI } from './api';
import { eventAccess } from './ajax-views';
import type { ExtraData, TimelineEventObjectRef, TimelineEventStatus } from './entities';
import { objectRefsOf, statusesOf, type EventRow } from './queries';
import type { TimelineViewDeps } from './views';

export const TIMELINE_MEDIA_TYPE: MediaTypeSpec = {
  mediaType: 'application/vnd.bihealth.sodar-core.timeline+json',
  versions: ['2.0'],
  defaultVersion: '2.0',
};

const REST_PAGE_SIZE = 100;

type Handler = (req: Request, res: Response) => Promise<void>;

/**
 * Media type (406), then a logged-in user (401), then the handler. Project routes have
 * passed the project's rule already, which lets anonymous users in only on public projects
 * with ALLOW_ANONYMOUS (SODAR's SODARAPIProjectPermission), so they skip the login check.
 */
function rest(handler: Handler, options: { inProject?: boolean } = {}) {
  const negotiate = negotiateVersion(TIMELINE_MEDIA_TYPE);
  return (req: Request, res: Response, next: NextFunction): void => {
    negotiate(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (options.inProject) return void handler(req, res).catch(next);
      requireApiUser(req, res, (denied?: unknown) => (denied ? next(denied) : handler(req, res).catch(next)));
    });
  };
}

const withExtra = <T extends { extra_data: ExtraData }>(item: T, show: boolean) => {
  const { extra_data: extra, ...rest } = item;
  return show ? { ...rest, extra_data: extra } : rest;
};

function serializeEvent(row: EventRow, statuses: TimelineEventStatus[], refs: TimelineEventObjectRef[], showExtra: boolean) {
  return withExtra(
    {
      project: row.project_uuid,
      app: row.app,
      plugin: row.plugin,
      user: row.user_uuid,
      event_name: row.event_name,
      description: row.description,
      extra_data: row.extra_data,
      classified: row.classified,
      status_changes: statuses.map((s) => withExtra({ event: row.sodar_uuid, timestamp: new Date(s.timestamp).toISOString(), status_type: s.status_type, description: s.description, extra_data: s.extra_data, sodar_uuid: s.sodar_uuid }, showExtra)),
      event_objects: refs.map((r) => withExtra({ event: row.sodar_uuid, label: r.label, name: r.name, object_model: r.object_model, object_uuid: r.object_uuid, extra_data: r.extra_data, sodar_uuid: r.sodar_uuid }, showExtra)),
      sodar_uuid: row.sodar_uuid,
    },
    showExtra,
  );
}

/** Serializes a page of events with two more queries (statuses and references of all). */
async function serializeEvents(deps: TimelineViewDeps, rows: EventRow[], showExtra: boolean) {
  const ids = rows.map((r) => r.id);
  const [statuses, refs] = await Promise.all([statusesOf(deps.dataSource, ids), objectRefsOf(deps.dataSource, ids)]);
  // Oldest status first, as SODAR's serializer lists them.
  return rows.map((row) => serializeEvent(row, statuses.filter((s) => s.event_id === row.id).reverse(), refs.filter((r) => r.event_id === row.id), showExtra));
}

/** `?page=` asks for SODAR's paginated shape; without it the whole list comes as an array. */
function optionalPage(req: Request): number | null {
  return req.query.page === undefined ? null : pageNumber(req.query.page);
}

/** Every event (repeats one by one), newest first; `?page=` gives SODAR's paginated shape. */
async function listResponse(deps: TimelineViewDeps, req: Request, res: Response, where: { project: number | null }, classified: boolean, showExtra: boolean): Promise<void> {
  const page = optionalPage(req);
  const offset = ((page ?? 1) - 1) * REST_PAGE_SIZE;
  const rows: Array<EventRow & { total: number }> = await deps.dataSource.query(
    `SELECT e.*, e.sodar_uuid AS group_uuid, p.sodar_uuid AS project_uuid, u.sodar_uuid AS user_uuid, u.username, count(*) OVER () AS total
     FROM timeline_event e
     LEFT JOIN projectroles_project p ON p.id = e.project_id
     LEFT JOIN projectroles_user u ON u.id = e.user_id
     WHERE ${where.project === null ? 'e.project_id IS NULL AND $1::int IS NULL' : 'e.project_id = $1'} AND ($2 OR NOT e.classified)
     ORDER BY e.id DESC LIMIT $3 OFFSET $4`,
    // "IS NOT DISTINCT FROM $1" would serve both, but no index can answer it.
    [where.project, classified, REST_PAGE_SIZE, offset],
  );
  if (page !== null) refuseEmptyPage(page, rows.length);
  const results = await serializeEvents(deps, rows, showExtra);
  if (page === null) {
    res.json(results);
    return;
  }
  const count = rows[0]?.total ?? 0;
  const link = (n: number) => `${req.baseUrl}${req.path}?page=${n}`;
  res.json({ count, next: offset + rows.length < count ? link(page + 1) : null, previous: page > 1 ? link(page - 1) : null, results });
}

export function apiListProject(deps: TimelineViewDeps): Handler {
  return async (req, res) => {
    const can = (permission: string) => deps.rules.test(permission, req.user ?? null, req.projectAccess);
    await listResponse(deps, req, res, { project: req.project!.id }, await can('timeline.view_classified_event'), await can('timeline.view_event_extra_data'));
  };
}

export function apiListSite(deps: TimelineViewDeps): Handler {
  return async (req, res) => {
    const superuser = req.user!.is_superuser;
    await listResponse(deps, req, res, { project: null }, superuser, superuser);
  };
}

export function apiRetrieve(deps: TimelineViewDeps): Handler {
  return async (req, res) => {
    const { row, extraData } = await eventAccess(deps, req, String(req.params.timelineevent));
    res.json((await serializeEvents(deps, [row], extraData))[0]);
  };
}

function optionalString(body: Record<string, unknown>, field: string, label = field): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadInputError(`${label}: must be a string`);
  return value;
}

function optionalObject(body: Record<string, unknown>, field: string, label = field): ExtraData | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new BadInputError(`${label}: must be a JSON object`);
  return value as ExtraData;
}

/** Events one create request may carry (a JSON array), so scripts can send a batch at once. */
export const MAX_EVENTS_PER_REQUEST = 100;

/** One event of a create request, checked field by field; `at` names it in errors. */
function eventInput(body: unknown, at: string, project: AddEventInput['project'], user: User): AddEventInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadInputError(`${at}must be a JSON object`);
  const fields = body as Record<string, unknown>;
  const field = (name: string) => `${at}${name}`;
  const eventName = optionalString(fields, 'event_name', field('event_name'));
  if (!eventName) throw new BadInputError(`${field('event_name')}: required`);
  const classified = fields.classified ?? false;
  if (typeof classified !== 'boolean') throw new BadInputError(`${field('classified')}: must be true or false`);
  return {
    project,
    app: optionalString(fields, 'app', field('app')) ?? 'timeline',
    user,
    eventName,
    description: optionalString(fields, 'description', field('description')) ?? '',
    classified,
    extraData: optionalObject(fields, 'extra_data', field('extra_data')),
    statusType: fields.status_type === undefined || fields.status_type === null ? undefined : statusTypeOf(fields.status_type, field('status_type')),
    statusDesc: optionalString(fields, 'status_desc', field('status_desc')),
    statusExtraData: optionalObject(fields, 'status_extra_data', field('status_extra_data')),
  };
}

/**
 * Records one event (a JSON object) or a batch (an array of up to MAX_EVENTS_PER_REQUEST,
 * all or none: one statement). Answers 201 with what it recorded, in the same shape.
 */
export function apiCreate(api: TimelineAPI): Handler {
  return async (req, res) => {
    if (!req.user) throw new PermissionDeniedError(); // the rule needs a role; this keeps the types honest
    const batch = Array.isArray(req.body);
    const bodies: unknown[] = batch ? (req.body as unknown[]) : [req.body ?? {}];
    if (bodies.length === 0 || bodies.length > MAX_EVENTS_PER_REQUEST) throw new BadInputError(`a batch holds 1 to ${MAX_EVENTS_PER_REQUEST} events (got ${bodies.length})`);
    const inputs = bodies.map((body, i) => eventInput(body, batch ? `[${i}].` : '', req.project!, req.user!));
    const handles = batch ? await api.addEvents(inputs) : [await api.addEvent(inputs[0]!)];
    const created = handles.map((h) => ({ sodar_uuid: h.event.sodar_uuid, project: req.project!.sodar_uuid, event_name: h.event.event_name }));
    res.status(201).json(batch ? created : created[0]);
  };
}

export { rest };
