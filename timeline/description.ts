/**
 * Event descriptions as HTML (reference §3.3): each `{label}` becomes a link to its object
 * (user badge, project link, or the owning plugin's `getObjectLink`) plus a link to the
 * object's history; `(unknown)` or a red "not found" where the object is missing. All text
 * that came from users (descriptions, names, titles) is HTML-escaped. A whole page of
 * events costs a fixed number of queries: references, users and projects are loaded for
 * all of them at once.
 */
import type { DataSource } from 'typeorm';
import type { User } from '../projectroles/entities';
import type { PluginObjectLink, PluginPoint } from '../projectroles/plugin-points';
import { loadProjectAccess, type ProjectAccess } from '../projectroles/project-rules';
import { projectsByUuid, type ProjectRow } from '../projectroles/projects';
import type { PluginRegistry } from '../projectroles/registry';
import type { RuleSet } from '../projectroles/rules';
import { objectLink } from './api';
import type { TimelineEvent, TimelineEventObjectRef } from './entities';
import { describedRefsOf, type DescribedRef } from './queries';

const LABEL_PATTERN = /\{'?(.*?)'?\}/g;
const HAS_LABEL = /\{.*?\}/;
const MAX_UNBROKEN_NAME = 32;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Long names without a space or hyphen would break the layout: cut them (SODAR does too). */
function shortName(name: string): string {
  return /[\s-]/.test(name) || name.length <= MAX_UNBROKEN_NAME ? name : `${name.slice(0, MAX_UNBROKEN_NAME)}…`;
}

const unknown = () => '<span class="sodar-tl-unknown text-muted">(unknown)</span>';
const notFound = (name: string) => `<span class="sodar-tl-not-found text-danger" title="Not found">${escapeHtml(shortName(name))}</span>`;

export interface DescribeDeps {
  dataSource: DataSource;
  registry: PluginRegistry;
  rules: RuleSet;
}

/** `refs`: the event's references when the caller loaded them with it (list rows do). */
type DescribedEvent = Pick<TimelineEvent, 'id' | 'app' | 'plugin' | 'description' | 'project_id'> & { project_uuid?: string | null; refs?: DescribedRef[] | null };

/** What the references of a page of events point at, loaded in a fixed number of queries. */
interface Lookups {
  users: Map<string, Pick<User, 'username' | 'name'>>;
  /** Project UUID -> title and whether the viewer may open it. */
  projects: Map<string, { title: string; canView: boolean }>;
  links: Map<string, PluginObjectLink | null>;
}

/** A project whose access the caller has already loaded (the page's own). */
export interface KnownProject {
  project: ProjectRow;
  access: ProjectAccess | undefined;
}

async function loadLookups(deps: DescribeDeps, events: DescribedEvent[], refs: DescribedRef[], user: User | null, known: KnownProject | null): Promise<Lookups> {
  const projectUuids = [...new Set(refs.filter((r) => r.object_model === 'Project' && r.object_uuid && r.object_uuid !== known?.project.sodar_uuid).map((r) => r.object_uuid!))];
  const users = refs.filter((r) => r.user_username !== null).map((r) => ({ sodar_uuid: r.object_uuid!, username: r.user_username!, name: r.user_name ?? '' }));
  const projects = projectUuids.length ? await projectsByUuid(deps.dataSource, projectUuids) : [];
  const access = projects.length ? await loadProjectAccess(deps.dataSource, user, projects) : new Map();
  const projectInfo = new Map<string, { title: string; canView: boolean }>();
  if (known) projectInfo.set(known.project.sodar_uuid, { title: known.project.title, canView: await deps.rules.test('projectroles.view_project', user, known.access) });
  for (const project of projects) {
    projectInfo.set(project.sodar_uuid, { title: project.title, canView: await deps.rules.test('projectroles.view_project', user, access.get(project.id)) });
  }
  const links = new Map<string, PluginObjectLink | null>();
  const pluginOf = new Map(events.map((e) => [e.id, e.plugin ?? e.app]));
  for (const ref of refs) {
    if (ref.object_model === 'User' || ref.object_model === 'Project' || !ref.object_uuid) continue;
    const pluginName = pluginOf.get(ref.event_id)!;
    const key = `${pluginName}:${ref.object_model}:${ref.object_uuid}`;
    if (links.has(key)) continue;
    const plugin = pluginName === 'projectroles' ? null : findPlugin(deps.registry, pluginName);
    links.set(key, plugin ? await plugin.getObjectLink(ref.object_model, ref.object_uuid) : null);
  }
  return { users: new Map(users.map((u) => [u.sodar_uuid, u])), projects: projectInfo, links };
}

function findPlugin(registry: PluginRegistry, name: string): PluginPoint | null {
  const entry = registry.all().find((e) => e.plugin.name === name && registry.isActive(e));
  return entry?.plugin ?? null;
}

function renderRef(ref: TimelineEventObjectRef, pluginName: string, projectUuid: string | null, lookups: Lookups): string {
  const history = ref.object_uuid ? ` ${objectLink({ model: ref.object_model, uuid: ref.object_uuid }, projectUuid)}` : '';
  if (ref.object_model === 'User') {
    const user = ref.object_uuid ? lookups.users.get(ref.object_uuid) : undefined;
    if (!user) return unknown();
    return `<span class="sodar-tl-user badge bg-light text-dark border" title="${escapeHtml(user.name)}">${escapeHtml(user.username)}</span>${history}`;
  }
  if (ref.object_model === 'Project') {
    const project = ref.object_uuid ? lookups.projects.get(ref.object_uuid) : undefined;
    if (!project) return `<span class="sodar-tl-deleted">${escapeHtml(shortName(ref.name))}</span>`;
    if (!project.canView) return `<span class="text-danger">${escapeHtml(shortName(project.title))}</span>`;
    return `<a class="sodar-tl-project-link" href="/project/${ref.object_uuid}">${escapeHtml(shortName(project.title))}</a>`;
  }
  if (pluginName === 'projectroles') return `${notFound(ref.name)}${history}`;
  const link = lookups.links.get(`${pluginName}:${ref.object_model}:${ref.object_uuid}`);
  if (!link) return `${notFound(ref.name)}${history}`;
  const target = link.blank ? ' target="_blank" rel="noopener"' : '';
  return `<a href="${escapeHtml(link.url)}"${target}>${escapeHtml(shortName(link.name))}</a>${history}`;
}

function renderOne(event: DescribedEvent, refs: TimelineEventObjectRef[], registry: PluginRegistry, lookups: Lookups): string {
  const pluginName = event.plugin ?? event.app;
  if (pluginName !== 'projectroles' && !findPlugin(registry, pluginName)) {
    return `<span class="sodar-tl-plugin-error text-danger">Plugin not found: ${escapeHtml(pluginName)}</span>`;
  }
  const byLabel = new Map(refs.map((r) => [r.label, r]));
  let html = '';
  let last = 0;
  for (const match of event.description.matchAll(LABEL_PATTERN)) {
    html += escapeHtml(event.description.slice(last, match.index));
    const label = match[1]!;
    const ref = byLabel.get(label);
    html += label.startsWith('extra-') || !ref ? unknown() : renderRef(ref, pluginName, event.project_uuid ?? null, lookups);
    last = match.index + match[0].length;
  }
  return html + escapeHtml(event.description.slice(last));
}

/** Renders the descriptions of `events` for `user`; keyed by event id. */
export async function describeEvents(deps: DescribeDeps, events: DescribedEvent[], user: User | null, known: KnownProject | null = null): Promise<Map<number, string>> {
  const referencing = events.filter((e) => HAS_LABEL.test(e.description));
  const unloaded = referencing.filter((e) => e.refs === undefined);
  const loaded = referencing.flatMap((e) => e.refs ?? []);
  const refs = unloaded.length ? [...loaded, ...(await describedRefsOf(deps.dataSource, unloaded.map((e) => e.id)))] : loaded;
  const lookups = await loadLookups(deps, events, refs, user, known);
  const refsByEvent = new Map<number, TimelineEventObjectRef[]>();
  for (const ref of refs) refsByEvent.set(ref.event_id, [...(refsByEvent.get(ref.event_id) ?? []), ref]);
  return new Map(events.map((e) => [e.id, renderOne(e, refsByEvent.get(e.id) ?? [], deps.registry, lookups)]));
}
