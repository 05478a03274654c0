/**
 * Timeline pages (reference §3.4): a project's events, an object's history, site-wide and
 * all events. Each page: one query for its rows plus the fixed few of the descriptions.
 */
import type { Request, Response } from 'express';
import { BadInputError } from '../app/errors';
import { renderPage } from '../app/pages';
import { projectAppLinks } from '../projectroles/app-links';
import type { PluginContext } from '../projectroles/plugin-context';
import type { ObjectRef } from './api';
import { describeEvents, type DescribeDeps } from './description';
import { STATUS_CLASSES } from './entities';
import { eventGroups, eventsOfObject, PAGE_SIZE, type EventListOptions, type EventRow } from './queries';

export type TimelineViewDeps = DescribeDeps & {
  /** The access block and IP allow list checks, for routes that reach a project through an event. */
  projectEntryDenial: PluginContext['projectEntryDenial'];
};

/** `?before=<sort_key>` of the next page; absent for the first. */
export function pageOptions(req: Request): Pick<EventListOptions, 'before'> {
  const before = req.query.before;
  if (before === undefined) return { before: null };
  if (typeof before !== 'string' || !/^\d{1,18}$/.test(before)) throw new BadInputError('before: must be the sort key of a listed event');
  return { before: Number(before) };
}

/** What a row template shows, descriptions rendered for the viewer. */
export interface ListedEvent {
  row: EventRow;
  description: string;
  statusClass: string;
}

/** `req`: its project (a project page's) is known already, so references to it cost no query. */
export async function listedEvents(deps: TimelineViewDeps, rows: EventRow[], req: Request): Promise<ListedEvent[]> {
  const known = req.project ? { project: req.project, access: req.projectAccess } : null;
  const descriptions = await describeEvents(deps, rows, req.user ?? null, known);
  return rows.map((row) => ({ row, description: descriptions.get(row.id)!, statusClass: row.status_type ? STATUS_CLASSES[row.status_type] : 'bg-secondary' }));
}

interface ListPage {
  title: string;
  heading: string;
  rows: EventRow[];
  /** Set on project pages: the project header, tabs and the live stream. */
  project?: Request['project'];
  object?: ObjectRef;
}

async function renderList(deps: TimelineViewDeps, req: Request, res: Response, page: ListPage): Promise<void> {
  const events = await listedEvents(deps, page.rows, req);
  const last = page.rows.at(-1);
  const next = page.rows.length === PAGE_SIZE && last ? `?before=${last.group_sort_key}` : null;
  renderPage(req, res, 'timeline/list', {
    title: page.title,
    heading: page.heading,
    events,
    next,
    first: req.query.before === undefined,
    project: page.project ?? null,
    object: page.object ?? null,
    apps: page.project ? await projectAppLinks(deps, req) : [],
    live: Boolean(page.project) && !page.object,
  });
}

const canSeeClassified = (deps: TimelineViewDeps, req: Request) => deps.rules.test('timeline.view_classified_event', req.user ?? null, req.projectAccess);

function objectOf(req: Request): ObjectRef {
  return { model: String(req.params.object_model), uuid: String(req.params.object_uuid) };
}

export function projectListPage(deps: TimelineViewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const project = req.project!;
    const rows = await eventGroups(deps.dataSource, { project: project.id }, { ...pageOptions(req), classified: await canSeeClassified(deps, req) });
    await renderList(deps, req, res, { title: `Timeline of ${project.title}`, heading: 'Project timeline', rows, project });
  };
}

export function objectListPage(deps: TimelineViewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const project = req.project!;
    const object = objectOf(req);
    const rows = await eventsOfObject(deps.dataSource, project.id, object, { ...pageOptions(req), classified: await canSeeClassified(deps, req) });
    await renderList(deps, req, res, { title: `History of a ${object.model} in ${project.title}`, heading: `${object.model} history`, rows, project, object });
  };
}

export function siteListPage(deps: TimelineViewDeps, scope: 'site' | 'all') {
  return async (req: Request, res: Response): Promise<void> => {
    const classified = await deps.rules.test('timeline.view_classified_site_event', req.user ?? null);
    const rows = await eventGroups(deps.dataSource, scope, { ...pageOptions(req), classified });
    const heading = scope === 'site' ? 'Site-wide events' : 'All timeline events';
    await renderList(deps, req, res, { title: heading, heading, rows });
  };
}

export function siteObjectListPage(deps: TimelineViewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const object = objectOf(req);
    const classified = await deps.rules.test('timeline.view_classified_site_event', req.user ?? null);
    const rows = await eventsOfObject(deps.dataSource, null, object, { ...pageOptions(req), classified });
    await renderList(deps, req, res, { title: `Site-wide history of a ${object.model}`, heading: `${object.model} history`, rows, object });
  };
}
