/**
 * What a plugin receives at start (Backstage-like, kept small): a logger tagged with its
 * name, its own configuration section, the data source and the registry, plus helpers so
 * a drop-in plugin outside this repository needs no import from it.
 */
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import * as errors from '../app/errors';
import type { PluginRegistry } from './registry';

export interface PluginContext {
  /** Logger whose lines carry `plugin: <name>`. */
  logger: Logger;
  /** The plugin's section of PLUGIN_CONFIG (an empty object when none). */
  config: Record<string, unknown>;
  dataSource: DataSource;
  registry: PluginRegistry;
  /** The error classes the site maps to status codes (NotFoundError, BadInputError, ...). */
  errors: typeof errors;
  /** Renders a template of this plugin inside the site layout. */
  renderPage(req: Request, res: Response, template: string, locals: Record<string, unknown> & { title: string }): void;
}
