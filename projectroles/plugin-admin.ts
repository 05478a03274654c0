/**
 * The plugins page, a site app for superusers: every plugin with its type, source, routes,
 * enabled switch, state and statistics; the same as JSON from its Ajax endpoint.
 */
import type { Request, Response } from 'express';
import { BadInputError, NotFoundError } from '../app/errors';
import { flash } from '../app/pages';
import type { PluginContext } from './plugin-context';
import { SiteAppPluginPoint, type PluginRoute, type PluginStatistic } from './plugin-points';
import { mountedPath } from './plugin-router';
import { readPluginRows, setPluginEnabled, type PluginRow } from './plugin-states';
import type { PluginEntry } from './registry';

export interface PluginSummary {
  sodar_uuid: string | null;
  name: string;
  type: string;
  title: string;
  icon: string;
  description: string;
  source: string;
  routes: string[];
  enabled: boolean;
  core: boolean;
  active: boolean;
  state: 'ok' | 'failed' | 'registered';
  error: string | null;
  statistics: Record<string, PluginStatistic>;
}

async function statisticsOf(entry: PluginEntry): Promise<Record<string, PluginStatistic>> {
  try {
    return await entry.plugin.getStatistics();
  } catch (error) {
    return { error: { label: 'Statistics failed', value: (error as Error).message } };
  }
}

export async function summarizePlugins(context: PluginContext): Promise<PluginSummary[]> {
  const { registry } = context;
  const rows = new Map((await readPluginRows(context.dataSource)).map((row) => [`${row.plugin_type}:${row.name}`, row]));
  return Promise.all(
    registry.all().map(async (entry) => ({
      sodar_uuid: rows.get(`${entry.type}:${entry.plugin.name}`)?.sodar_uuid ?? null,
      name: entry.plugin.name,
      type: entry.type,
      title: entry.plugin.title,
      icon: entry.plugin.icon,
      description: entry.plugin.description,
      source: entry.origin.source,
      routes: entry.plugin.urls.map((route) => `${route.method.toUpperCase()} ${mountedPath(entry, route)}`),
      enabled: registry.isEnabled(entry),
      core: entry.core,
      active: registry.isActive(entry),
      state: entry.status,
      error: entry.error,
      statistics: entry.status === 'failed' ? {} : await statisticsOf(entry),
    })),
  );
}

/** Applies a switch from the page or Ajax; other processes follow within seconds. */
async function switchPlugin(context: PluginContext, uuid: string, enabled: unknown): Promise<PluginRow> {
  if (typeof enabled !== 'boolean') throw new BadInputError('enabled: must be true or false');
  const rows = await readPluginRows(context.dataSource);
  const row = rows.find((r) => r.sodar_uuid === uuid);
  if (!row) throw new NotFoundError(`No plugin with sodar_uuid ${uuid}`);
  const entry = context.registry.all().find((e) => e.type === row.plugin_type && e.plugin.name === row.name);
  if (entry?.core && !enabled) throw new BadInputError(`${row.name}: a core plugin cannot be disabled`);
  const updated = (await setPluginEnabled(context.dataSource, uuid, enabled))!;
  context.registry.setEnabled(updated.plugin_type, updated.name, updated.enabled);
  context.logger.info({ plugin: updated.name, type: updated.plugin_type, enabled }, 'plugin switched');
  return updated;
}

export class PluginAdminSiteApp extends SiteAppPluginPoint {
  readonly name = 'plugins';
  readonly title = 'Plugins';
  readonly icon = 'plug';
  readonly description = 'Registered plugins: state, routes, statistics, enable and disable';
  readonly entryPoint = 'list';
  readonly appPermission = 'plugins.manage_plugins';
  // Superusers pass every rule; nobody else may manage plugins.
  override rules = { 'plugins.manage_plugins': () => false };
  private context: PluginContext | null = null;

  override onStart(context: PluginContext): void {
    this.context = context;
  }

  private get started(): PluginContext {
    if (!this.context) throw new Error('plugins app used before start');
    return this.context;
  }

  override urls: PluginRoute[] = [
    { name: 'list', method: 'get', path: '/', kind: 'page', handler: (req, res) => this.page(req, res) },
    { name: 'switch', method: 'post', path: '/enabled/:plugin', kind: 'page', handler: (req, res) => this.switchFromForm(req, res) },
    { name: 'ajax_list', method: 'get', path: '/list', kind: 'ajax', handler: (req, res) => this.list(req, res) },
    { name: 'ajax_switch', method: 'post', path: '/enabled/:plugin', kind: 'ajax', handler: (req, res) => this.switchFromAjax(req, res) },
  ];

  private async page(req: Request, res: Response): Promise<void> {
    const plugins = await summarizePlugins(this.started);
    this.started.renderPage(req, res, 'projectroles/plugins', { title: 'Plugins', plugins, loadFailures: this.started.registry.loadFailures });
  }

  private async list(_req: Request, res: Response): Promise<void> {
    res.json({ plugins: await summarizePlugins(this.started), load_failures: this.started.registry.loadFailures });
  }

  private async switchFromForm(req: Request, res: Response): Promise<void> {
    // The form sends "true" or "false"; anything else (no field at all) is refused, not read as "off".
    const sent = (req.body as { enabled?: unknown }).enabled;
    const row = await switchPlugin(this.started, String(req.params.plugin), sent === 'true' ? true : sent === 'false' ? false : sent);
    flash(req, 'success', `Plugin ${row.name} ${row.enabled ? 'enabled' : 'disabled'}.`);
    res.redirect('/plugins/');
  }

  private async switchFromAjax(req: Request, res: Response): Promise<void> {
    const row = await switchPlugin(this.started, String(req.params.plugin), (req.body as { enabled?: unknown }).enabled);
    res.json({ sodar_uuid: row.sodar_uuid, name: row.name, type: row.plugin_type, enabled: row.enabled });
  }
}
