/**
 * Timeline search (SODAR's `search()` for type `timeline`): events whose name or
 * description holds every term, kept only where the user may see them. A fixed number of
 * queries: the candidates, then the access to all their projects at once.
 */
import type { DataSource } from 'typeorm';
import type { User } from '../projectroles/entities';
import type { PluginSearchResult } from '../projectroles/plugin-points';
import { loadProjectAccess } from '../projectroles/project-rules';
import { projectsByUuid } from '../projectroles/projects';
import type { RuleSet } from '../projectroles/rules';

/** SODAR's TIMELINE_SEARCH_LIMIT. */
export const SEARCH_LIMIT = 250;

interface SearchDeps {
  dataSource: DataSource;
  rules: RuleSet;
}

type Candidate = { sodar_uuid: string; event_name: string; description: string; classified: boolean; project_id: number | null; project_uuid: string | null };

export async function searchEvents(deps: SearchDeps, terms: string[], user: User, options: { type?: string; projectUuids?: string[] }): Promise<PluginSearchResult[]> {
  const words = terms.map((t) => t.trim()).filter(Boolean);
  if ((options.type && options.type !== 'timeline') || words.length === 0) return [];
  const patterns = words.map((w) => `%${w.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const candidates: Candidate[] = await deps.dataSource.query(
    `SELECT e.sodar_uuid, e.event_name, e.description, e.classified, e.project_id, p.sodar_uuid AS project_uuid
     FROM timeline_event e LEFT JOIN projectroles_project p ON p.id = e.project_id
     WHERE (SELECT bool_and(e.event_name ILIKE pat OR e.description ILIKE pat) FROM unnest($1::text[]) AS pat)
       AND ($2::uuid[] IS NULL OR p.sodar_uuid = ANY ($2::uuid[]))
     ORDER BY e.id DESC LIMIT $3`,
    [patterns, options.projectUuids ?? null, SEARCH_LIMIT],
  );
  const projectUuids = [...new Set(candidates.flatMap((c) => (c.project_uuid ? [c.project_uuid] : [])))];
  const projects = projectUuids.length ? await projectsByUuid(deps.dataSource, projectUuids) : [];
  const access = await loadProjectAccess(deps.dataSource, user, projects);
  const items = [];
  for (const event of candidates) {
    const projectAccess = event.project_id === null ? undefined : access.get(event.project_id);
    const permission = event.project_id === null
      ? (event.classified ? 'timeline.view_classified_site_event' : 'timeline.view_site_timeline')
      : (event.classified ? 'timeline.view_classified_event' : 'timeline.view_timeline');
    if (!(await deps.rules.test(permission, user, projectAccess))) continue;
    const url = event.project_uuid ? `/timeline/${event.project_uuid}` : '/timeline/site';
    items.push({ name: `${event.event_name}: ${event.description}`, url, project: event.project_uuid ?? undefined });
  }
  return [{ category: 'all', title: 'Timeline Events', searchTypes: ['timeline'], items }];
}
