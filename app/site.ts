/**
 * Opening a site: configuration to plugins, a migrated database, started plugins and the
 * Express app; and closing it again in reverse. main.ts, the commands and the tests all
 * come through here, so they run the same site.
 */
import path from 'node:path';
import type express from 'express';
import type { Logger } from 'pino';
import { builtInMigrations } from '../migrations';
import { PROJECTROLES_APP_SETTINGS, SettingDefinitions } from '../projectroles/app-setting-definitions';
import { AppSettings, SiteValues } from '../projectroles/app-settings';
import { projectrolesEntities } from '../projectroles/entities';
import { loadDropInPlugins } from '../projectroles/plugin-loader';
import type { PluginContext } from '../projectroles/plugin-context';
import { PluginStateWatcher, syncPluginRows } from '../projectroles/plugin-states';
import { projectEntryDenial } from '../projectroles/project-access';
import { addProjectrolesRules } from '../projectroles/project-rules';
import { PluginRegistry, type PluginEntry } from '../projectroles/registry';
import { RuleSet } from '../projectroles/rules';
import { ensureFirstSuperuser } from '../projectroles/users';
import type { Config } from './config';
import { migrate, openDatabase, type Database } from './database';
import * as errors from './errors';
import { Readiness } from './health';
import { renderPage } from './pages';
import { builtInPlugins } from './plugins';
import type { RouteInfo } from './route-list';
import { buildApp } from './server';
import { StartupTiming } from './startup-timing';

export interface Site {
  config: Config;
  logger: Logger;
  db: Database;
  registry: PluginRegistry;
  rules: RuleSet;
  settings: AppSettings;
  plugins: PluginStateWatcher;
  /** Say `stopping` before closing: /readyz answers 503 while requests in flight finish. */
  readiness: Readiness;
  app: express.Express;
  /** Housekeeping to run now and then (expired sessions, old login failures). */
  maintenance(): Promise<void>;
  /** Every route the site serves. */
  routes(): RouteInfo[];
  /** Stops plugins in reverse order and closes the database. */
  close(): Promise<void>;
}

export function embeddedPath(config: Config): string {
  return path.join(config.dataDir, 'db');
}

/**
 * The site's rules: projectroles' own, which plugins' rules build on (so commands load plugins
 * as the site does). They read site read-only mode from `siteValues`, which AppSettings fills.
 */
export function siteRules(config: Config, siteValues = new SiteValues()): RuleSet {
  const rules = new RuleSet({ allowAnonymous: config.allowAnonymous });
  addProjectrolesRules(rules, config, siteValues);
  return rules;
}

/** projectroles' settings and every registered plugin's; throws naming the plugin and setting on a bad one. */
export function settingDefinitions(registry: PluginRegistry, rules: RuleSet): SettingDefinitions {
  const definitions = new SettingDefinitions();
  const hasRule = (name: string) => rules.has(name);
  definitions.add('projectroles', PROJECTROLES_APP_SETTINGS, hasRule);
  for (const entry of registry.all()) definitions.add(entry.plugin.name, entry.plugin.appSettings, hasRule);
  return definitions;
}

/** Registers built-in plugins, then drop-ins; throws on the first broken one unless told to go on. */
export function createRegistry(config: Config, rules: RuleSet): PluginRegistry {
  const registry = new PluginRegistry({ enabledBackendPlugins: config.enabledBackendPlugins, rules });
  for (const { PluginClass, dir, core } of builtInPlugins) registry.register(PluginClass, { source: 'built in', dir }, { core });
  registry.loadFailures = loadDropInPlugins(config.pluginDirs, registry, config.pluginBootFailure === 'continue');
  return registry;
}

/** Opens the database of `config` with every plugin's tables, and applies pending migrations. */
export async function openSiteDatabase(config: Config, logger: Logger, registry: PluginRegistry, timing = new StartupTiming()): Promise<Database> {
  const db = await openDatabase({
    url: config.databaseUrl,
    embeddedPath: embeddedPath(config),
    entities: [...projectrolesEntities, ...registry.entities()],
    migrations: [...builtInMigrations, ...registry.migrations()],
    logger: logger.child({ component: 'database' }),
    timeouts: { connectSeconds: config.databaseConnectTimeoutSeconds, statementSeconds: config.databaseStatementTimeoutSeconds },
  });
  timing.mark('database open');
  try {
    await migrate(db);
    timing.mark('migrations check');
  } catch (error) {
    await db.dataSource.destroy(); // and with it the embedded database's lock
    throw error;
  }
  return db;
}

function pluginContext(entry: PluginEntry, site: { config: Config; logger: Logger; db: Database; registry: PluginRegistry; rules: RuleSet; settings: AppSettings }): PluginContext {
  const name = entry.plugin.name;
  // Built-in apps keep templates in views/<app>/; a drop-in in its own views/ folder.
  const template = (view: string) => (entry.origin.source === 'built in' ? view : path.join(entry.origin.dir, 'views', view));
  return {
    logger: site.logger.child({ plugin: name }),
    config: site.config.pluginConfig[name] ?? {},
    dataSource: site.db.dataSource,
    registry: site.registry,
    rules: site.rules,
    settings: site.settings,
    projectEntryDenial: (req, access) => projectEntryDenial(site.config, req, access),
    listen: site.db.listen,
    errors,
    renderPage: (req, res, view, locals) => renderPage(req, res, template(view), locals),
  };
}

/**
 * Creates `admin` when the site has no superuser and says how to log in: in the log, and a
 * generated password also as a plain line on standard error, since the log line is JSON
 * with the password inside an escaped string.
 */
export async function announceFirstSuperuser(db: Database, config: Config, logger: Logger): Promise<void> {
  const result = await ensureFirstSuperuser(db.dataSource, config.adminPassword);
  if (!result.created) return;
  const shown = result.password ? `"${result.password}"` : 'from ADMIN_PASSWORD';
  const message = `First start: created superuser "admin" with password ${shown} (shown once: note it now)`;
  logger.warn(message);
  if (result.password) process.stderr.write(`${message}\n`);
}

/**
 * Opens the whole site. `sharedDb` lets a second site instance use an open database
 * (the embedded one admits a single process); closing that instance leaves it open.
 */
export async function openSite(config: Config, logger: Logger, sharedDb?: Database, timing = new StartupTiming()): Promise<Site> {
  const siteValues = new SiteValues();
  const rules = siteRules(config, siteValues);
  const registry = createRegistry(config, rules);
  const definitions = settingDefinitions(registry, rules);
  timing.mark('plugins registered');
  const db = sharedDb ?? (await openSiteDatabase(config, logger, registry, timing));
  const closeDb = () => (sharedDb ? Promise.resolve() : db.dataSource.destroy());
  try {
    const settings = new AppSettings(db.dataSource, definitions, siteValues, config.crossProcessDelaySeconds * 1000);
    await announceFirstSuperuser(db, config, logger);
    timing.mark('superuser check');
    await registry.start((entry) => pluginContext(entry, { config, logger, db, registry, rules, settings }), config.pluginBootFailure === 'continue');
    timing.mark('plugins started');
    await syncPluginRows(db.dataSource, registry);
    const plugins = new PluginStateWatcher(db.dataSource, registry, logger, config.crossProcessDelaySeconds * 1000, [() => settings.refreshSiteValues()]);
    await plugins.refresh();
    timing.mark('plugin states');
    const readiness = new Readiness();
    const { app, maintenance, routes } = buildApp({ config, db, logger, registry, rules, settings, plugins, readiness });
    timing.mark('app built');
    const close = async () => {
      for (const error of await registry.stop()) logger.error({ err: error }, error.message);
      await closeDb();
    };
    return { config, logger, db, registry, rules, settings, plugins, readiness, app, maintenance, routes, close };
  } catch (error) {
    await registry.stop();
    await closeDb();
    throw error;
  }
}
