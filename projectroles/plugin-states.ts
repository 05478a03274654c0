/**
 * Plugin enable/disable state in the database (SODAR's plugin table, and its open #1754):
 * a superuser switches a plugin on or off at run time, and every process picks the change
 * up within `maxAgeMs` by re-reading the table, at most once per interval.
 */
import { AsyncResource } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { PluginType } from './plugin-points';
import type { PluginRegistry } from './registry';

export interface PluginRow {
  sodar_uuid: string;
  plugin_type: PluginType;
  name: string;
  enabled: boolean;
  status: string;
  error: string | null;
}

/** Records every registered plugin (new ones enabled) with the outcome of its start. */
export async function syncPluginRows(dataSource: DataSource, registry: PluginRegistry): Promise<void> {
  const entries = registry.all();
  if (entries.length === 0) return;
  await dataSource.query(
    `INSERT INTO projectroles_plugin (sodar_uuid, plugin_type, name, status, error)
     SELECT gen_random_uuid(), p.plugin_type, p.name, p.status, p.error
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS p(plugin_type, name, status, error)
     ON CONFLICT (plugin_type, name) DO UPDATE SET status = EXCLUDED.status, error = EXCLUDED.error`,
    [entries.map((e) => e.type), entries.map((e) => e.plugin.name), entries.map((e) => e.status), entries.map((e) => e.error)],
  );
}

export function readPluginRows(dataSource: DataSource): Promise<PluginRow[]> {
  return dataSource.query('SELECT sodar_uuid, plugin_type, name, enabled, status, error FROM projectroles_plugin');
}

/** Switches a plugin on or off; returns the row, or null when no plugin has that UUID. */
export async function setPluginEnabled(dataSource: DataSource, uuid: string, enabled: boolean): Promise<PluginRow | null> {
  // TypeORM answers an UPDATE with [rows, affected count].
  const [rows]: [PluginRow[], number] = await dataSource.query(
    `UPDATE projectroles_plugin SET enabled = $2, date_modified = now() WHERE sodar_uuid = $1
     RETURNING sodar_uuid, plugin_type, name, enabled, status, error`,
    [uuid, enabled],
  );
  return rows[0] ?? null;
}

/**
 * Keeps the registry's enabled states no older than `maxAgeMs` (plus the time of one
 * refresh), at one query per interval, without a request ever waiting for it.
 */
export class PluginStateWatcher {
  private loadedAt = 0;
  private loading: Promise<void> | null = null;
  /** Runs refreshes outside the request that noticed the states were stale: its statement count is not theirs. */
  private readonly background = new AsyncResource('PluginStateRefresh');
  /** UUIDs of the plugin rows by `type:name`, for the plugins page. */
  uuids = new Map<string, string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly registry: PluginRegistry,
    private readonly logger: Logger,
    private readonly maxAgeMs: number,
    /** Other site-wide state every process must follow within the same delay (SITE settings), re-read alongside. */
    private readonly alsoRefresh: Array<() => Promise<void>> = [],
  ) {}

  /** Re-reads the states now. */
  async refresh(): Promise<void> {
    const [rows] = await Promise.all([readPluginRows(this.dataSource), ...this.alsoRefresh.map((refresh) => refresh())]);
    this.registry.setDisabled(rows.filter((row) => !row.enabled).map((row) => ({ type: row.plugin_type, name: row.name })));
    this.uuids = new Map(rows.map((row) => [`${row.plugin_type}:${row.name}`, row.sodar_uuid]));
    this.loadedAt = Date.now();
  }

  /**
   * Middleware: when the states are stale, starts a refresh and serves this request with the
   * last known ones, so that a page needing no database never waits on one (a stalled server
   * would hold every request for its timeout). A failed refresh keeps the last known states.
   */
  middleware() {
    return (_req: Request, _res: Response, next: NextFunction): void => {
      if (Date.now() - this.loadedAt >= this.maxAgeMs) this.refreshInBackground();
      next();
    };
  }

  private refreshInBackground(): void {
    this.loading ??= this.background.runInAsyncScope(() =>
      this.refresh()
        .catch((err: unknown) => this.logger.warn({ err }, 'could not refresh plugin states; keeping the last known ones'))
        .finally(() => {
          this.loading = null;
        }),
    );
  }
}
