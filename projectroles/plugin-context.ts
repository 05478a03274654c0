/**
 * What a plugin receives at start (Backstage-like, kept small): a logger tagged with its
 * name, its own configuration section, the data source and the registry, plus helpers so
 * a drop-in plugin outside this repository needs no import from it.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Database } from '../app/database';
import * as errors from '../app/errors';
import type { AppSettings } from './app-settings';
import type { ProjectAccess } from './project-rules';
import type { PluginRegistry } from './registry';
import type { RuleSet } from './rules';

export interface PluginContext {
  /** Logger whose lines carry `plugin: <name>`. */
  logger: Logger;
  /** The plugin's section of PLUGIN_CONFIG (an empty object when none). */
  config: Record<string, unknown>;
  dataSource: DataSource;
  registry: PluginRegistry;
  /** App settings of every app (reference core §2.10): `settings.get('my_app', 'my_setting', { project })`. */
  settings: AppSettings;
  /**
   * The checks every project URL passes before its rule (access block, IP allow list), for a
   * handler that reaches a project otherwise (through an event, say): the error to throw, or null.
   */
  projectEntryDenial(req: Request, access: ProjectAccess): Error | null;
  /** Every permission rule of the site, to check one inside a handler. */
  rules: RuleSet;
  /** PostgreSQL LISTEN on either database (see Database.listen). */
  listen: Database['listen'];
  /** The error classes the site maps to status codes (NotFoundError, BadInputError, ...). */
  errors: typeof errors;
  /** Renders a template of this plugin inside the site layout. */
  renderPage(req: Request, res: Response, template: string, locals: Record<string, unknown> & { title: string }): void;
}

/**
 * What a plugin's route handler receives: `req.plugin` is the context its plugin got at
 * start, set by the plugin router, so a handler reaches its config and data source without
 * keeping them from onStart.
 */
export type PluginRequest = Request & { plugin: PluginContext };
