/**
 * Timeline Ajax (reference §3.4): event details and extra data, plus what this site adds:
 * the list row of one event (for live updates), the live stream and the project card.
 */
import type { Request, Response } from 'express';
import { NotFoundError, PermissionDeniedError } from '../app/errors';
import { loadEntryFlags } from '../projectroles/project-access';
import { loadProjectAccess, type ProjectAccess } from '../projectroles/project-rules';
import { projectsByUuid } from '../projectroles/projects';
import type { TimelineViewDeps } from './views';
import { listedEvents } from './views';
import { STATUS_CLASSES, type ExtraData } from './entities';
import type { LiveEvents } from './live';
import { eventByUuid, eventGroups, groupRowOf, statusByUuid, statusesOf, type EventRow } from './queries';

const CARD_EVENTS = 5;

export interface EventAccess {
  row: EventRow;
  /** The project's access for project events; null for site-wide ones. */
  access: ProjectAccess | null;
  /** Whether the user may see extra data of this event. */
  extraData: boolean;
}

/**
 * Loads an event and checks the user may see it: `view_timeline` on its project, and for
 * classified events `view_classified_event` (site-wide: authenticated, classified for
 * superusers only). Unknown: 404; not allowed: 403.
 */
export async function eventAccess(deps: TimelineViewDeps, req: Request, uuid: string): Promise<EventAccess> {
  const user = req.user ?? null;
  const row = await eventByUuid(deps.dataSource, uuid);
  if (!row) throw new NotFoundError(`No timeline event with sodar_uuid ${uuid}`);
  const allowed = async (permission: string, access?: ProjectAccess) => deps.rules.test(permission, user, access);
  if (row.project_uuid === null) {
    if (!user || (row.classified && !(await allowed('timeline.view_classified_site_event')))) throw new PermissionDeniedError();
    return { row, access: null, extraData: user.is_superuser };
  }
  const [project] = await projectsByUuid(deps.dataSource, [row.project_uuid]);
  // The foreign key keeps an event's project; a missing one would be a broken database.
  if (!project) throw new NotFoundError(`No project for timeline event ${uuid}`);
  const access = (await loadProjectAccess(deps.dataSource, user, [project])).get(project.id)!;
  // An event's project obeys the access block and IP allow list as its :project routes do.
  Object.assign(access, (await loadEntryFlags(deps.dataSource, [project])).get(project.id));
  const denial = deps.projectEntryDenial(req, access);
  if (denial) throw denial;
  if (!(await allowed('timeline.view_timeline', access))) throw new PermissionDeniedError();
  if (row.classified && !(await allowed('timeline.view_classified_event', access))) throw new PermissionDeniedError();
  return { row, access, extraData: await allowed('timeline.view_event_extra_data', access) };
}

const timestamp = (date: Date) => new Date(date).toISOString().replace('T', ' ').slice(0, 19);

/** Extra data as readable HTML: indented JSON, escaped. */
function extraHtml(extra: ExtraData): string {
  return `<pre class="sodar-tl-extra">${JSON.stringify(extra, null, 2).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`;
}

export function detailAjax(deps: TimelineViewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const { row, extraData } = await eventAccess(deps, req, String(req.params.timelineevent));
    const statuses = await statusesOf(deps.dataSource, [row.id]);
    res.json({
      app: row.app,
      name: row.event_name,
      user: row.username ?? 'N/A',
      timestamp: timestamp(row.timestamp),
      status: statuses.map((s) => ({
        timestamp: timestamp(s.timestamp),
        description: s.description,
        type: s.status_type,
        class: STATUS_CLASSES[s.status_type] ?? 'bg-secondary',
        extra_status_link: extraData && Object.keys(s.extra_data).length > 0 ? `/timeline/ajax/extra/status/${s.sodar_uuid}` : null,
      })),
    });
  };
}

export function extraAjax(deps: TimelineViewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const { row, extraData } = await eventAccess(deps, req, String(req.params.timelineevent));
    if (!extraData) throw new PermissionDeniedError();
    res.json({ app: row.app, name: row.event_name, user: row.username ?? 'N/A', timestamp: timestamp(row.timestamp), extra: extraHtml(row.extra_data) });
  };
}

export function statusExtraAjax(deps: TimelineViewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const status = await statusByUuid(deps.dataSource, String(req.params.eventstatus));
    if (!status) throw new NotFoundError(`No event status with sodar_uuid ${String(req.params.eventstatus)}`);
    const { row, extraData } = await eventAccess(deps, req, status.event_uuid);
    if (!extraData) throw new PermissionDeniedError();
    res.json({ app: row.app, name: row.event_name, user: row.username ?? 'N/A', timestamp: timestamp(status.timestamp), extra: extraHtml(status.extra_data) });
  };
}

/** Rows as the list template renders them, for live updates and the project card. */
async function rowsJson(deps: TimelineViewDeps, req: Request, rows: EventRow[]) {
  const events = await listedEvents(deps, rows, req);
  return events.map(({ row, description, statusClass }) => ({
    group: row.group_uuid,
    event: row.sodar_uuid,
    count: row.group_count,
    timestamp: timestamp(row.timestamp),
    user: row.username,
    event_name: row.event_name,
    description,
    status: row.status_type,
    status_class: statusClass,
    classified: row.classified,
  }));
}

/** The list row an event of the route's project now shows in (its group's). */
export function rowAjax(deps: TimelineViewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const row = await groupRowOf(deps.dataSource, String(req.params.timelineevent));
    if (!row || row.project_uuid !== req.project!.sodar_uuid) throw new NotFoundError(`No timeline event ${String(req.params.timelineevent)} in this project`);
    if (row.classified && !(await deps.rules.test('timeline.view_classified_event', req.user ?? null, req.projectAccess))) throw new PermissionDeniedError();
    res.json((await rowsJson(deps, req, [row]))[0]);
  };
}

export function cardAjax(deps: TimelineViewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const classified = await deps.rules.test('timeline.view_classified_event', req.user ?? null, req.projectAccess);
    const rows = await eventGroups(deps.dataSource, { project: req.project!.id }, { classified, limit: CARD_EVENTS });
    res.json({ events: await rowsJson(deps, req, rows) });
  };
}

export function liveAjax(live: LiveEvents) {
  return (req: Request, res: Response): void => live.subscribe(req, res, req.project!.sodar_uuid);
}
