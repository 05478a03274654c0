/**
 * Links to site apps for the user menu (SODAR's app_links.py): active site apps whose
 * `appPermission` the user passes, by plugin ordering. Worked out for page requests only.
 */
import path from 'node:path';
import type { Request } from 'express';
import { ROOT_DIR } from '../app/root-dir';
import { mountedPath } from './plugin-router';
import type { ProjectAppPluginPoint, SiteAppPluginPoint } from './plugin-points';
import type { PluginRegistry } from './registry';
import type { RuleSet } from './rules';

export interface AppLink {
  name: string;
  title: string;
  icon: string;
  url: string;
}

export async function siteAppLinks(registry: PluginRegistry, rules: RuleSet, req: Request): Promise<AppLink[]> {
  const links: AppLink[] = [];
  const entries = registry.all().filter((entry) => entry.type === 'site_app' && registry.isActive(entry));
  entries.sort((a, b) => a.plugin.pluginOrdering - b.plugin.pluginOrdering || a.plugin.name.localeCompare(b.plugin.name));
  for (const entry of entries) {
    const plugin = entry.plugin as SiteAppPluginPoint;
    if (plugin.appPermission && !(await rules.test(plugin.appPermission, req.user ?? null))) continue;
    const route = plugin.urls.find((r) => r.name === plugin.entryPoint)!;
    links.push({ name: plugin.name, title: plugin.title, icon: plugin.icon, url: mountedPath(entry, route) });
  }
  return links;
}

/**
 * Project apps for the project sidebar: active, allowed in categories when the project is
 * one, and permitted to the user on this project (req.project / req.projectAccess).
 */
export async function projectAppLinks(deps: { registry: PluginRegistry; rules: RuleSet }, req: Request): Promise<AppLink[]> {
  const project = req.project!;
  const links: AppLink[] = [];
  for (const plugin of deps.registry.getActivePlugins('project_app', { customOrder: true }) as ProjectAppPluginPoint[]) {
    if (project.type === 'CATEGORY' && !plugin.categoryEnable) continue;
    if (!(await deps.rules.test(plugin.appPermission, req.user ?? null, req.projectAccess))) continue;
    const entry = deps.registry.all().find((e) => e.plugin === plugin)!;
    const route = plugin.urls.find((r) => r.name === plugin.entryPoint)!;
    links.push({ name: plugin.name, title: plugin.title, icon: plugin.icon, url: mountedPath(entry, route).replace(':project', project.sodar_uuid) });
  }
  return links;
}

/** A plugin's list column on the home project list. */
export interface ListColumn {
  plugin: string;
  id: string;
  title: string;
  align: string;
}

/** Columns of active project apps, in plugin order then column ordering. */
export function projectListColumns(registry: PluginRegistry): ListColumn[] {
  return (registry.getActivePlugins('project_app', { customOrder: true }) as ProjectAppPluginPoint[]).flatMap((plugin) =>
    Object.entries(plugin.projectListColumns)
      .filter(([, column]) => column.active !== false)
      .sort(([, a], [, b]) => (a.ordering ?? 50) - (b.ordering ?? 50))
      .map(([id, column]) => ({ plugin: plugin.name, id, title: column.title, align: column.align ?? 'left' })),
  );
}

const BUILT_IN_VIEWS = path.join(ROOT_DIR, 'views');

/** Detail cards of project apps for the project page: the template path and its title. */
export async function projectDetailCards(deps: { registry: PluginRegistry; rules: RuleSet }, req: Request): Promise<Array<{ title: string; template: string }>> {
  const cards = [];
  const project = req.project!;
  for (const entry of deps.registry.all()) {
    const plugin = entry.plugin as ProjectAppPluginPoint;
    if (entry.type !== 'project_app' || !deps.registry.isActive(entry) || !plugin.detailsTemplate) continue;
    if (project.type === 'CATEGORY' && !plugin.categoryEnable) continue;
    if (!(await deps.rules.test(plugin.appPermission, req.user ?? null, req.projectAccess))) continue;
    // Built-in apps keep templates in views/<app>/, drop-ins in their own views/.
    // Absolute, since EJS resolves a relative include against the including template.
    const template = entry.origin.source === 'built in' ? path.join(BUILT_IN_VIEWS, plugin.detailsTemplate) : path.join(entry.origin.dir, 'views', plugin.detailsTemplate);
    cards.push({ title: plugin.detailsTitle ?? plugin.title, template });
  }
  return cards;
}
