/**
 * The app settings API (SODAR's AppSettingAPI, reference core §2.10), handed to every plugin
 * in its context as `settings`. Rows are created lazily: no row means the default. Values are
 * stored typed (jsonb), so a read is one statement and no conversion. `getAll` and
 * `valuesForProjects` read any number of settings or projects in one statement.
 *
 * This layer checks scope arguments, types and options; who may change what (user
 * modifiable, read-only mode) is the caller's (setting-updates.ts), as in SODAR.
 */
import type { DataSource, EntityManager } from 'typeorm';
import {
  AppSettingError,
  checkValue,
  defaultFor,
  settingKey,
  type SettingDefinition,
  type SettingDefinitions,
  type SettingScope,
  type SettingTarget,
  type SettingValue,
} from './app-setting-definitions';
import { TtlCache } from '../app/ttl-cache';
import type { Project, User } from './entities';

/**
 * Value types of known settings, for `settings.get('plugin', 'name')`. An app adds its own:
 *   declare module '../projectroles/app-settings' {
 *     interface AppSettingTypes { my_app: { my_flag: boolean } }
 *   }
 */
export interface AppSettingTypes {
  projectroles: {
    ip_restrict: boolean;
    ip_allow_list: string;
    notify_alert_project: boolean;
    notify_email_project: boolean;
    notify_alert_role: boolean;
    notify_email_role: boolean;
    site_read_only: boolean;
    project_list_highlight: boolean;
    project_list_home_starred: boolean;
    user_dropdown_name_display: boolean;
    project_list_pagination: number;
    project_access_block: boolean;
    category_public_stats: boolean;
  };
}

/** The value type of `plugin.name` where TypeScript knows it, else any setting value. */
export type SettingValueOf<P extends string, N extends string> = P extends keyof AppSettingTypes
  ? N extends keyof AppSettingTypes[P]
    ? AppSettingTypes[P][N]
    : SettingValue
  : SettingValue;

export interface SettingArgs {
  project?: Pick<Project, 'id' | 'sodar_uuid' | 'type'> | null;
  user?: Pick<User, 'id' | 'sodar_uuid'> | null;
}

type Queryable = Pick<DataSource | EntityManager, 'query'>;

const SCOPE_NEEDS: Record<SettingScope, { project: boolean; user: boolean }> = {
  PROJECT: { project: true, user: false },
  USER: { project: false, user: true },
  PROJECT_USER: { project: true, user: true },
  SITE: { project: false, user: false },
};

/** SODAR's scope argument errors: a project or user given where the scope has none, or missing. */
function checkScopeArgs(scope: SettingScope, label: string, args: SettingArgs, options: { userOptional?: boolean } = {}): SettingTarget {
  const needs = SCOPE_NEEDS[scope];
  const project = args.project ?? null;
  const user = args.user ?? null;
  if (needs.project && !project) throw new AppSettingError(`Project unset for setting ${label}`);
  if (!needs.project && project) throw new AppSettingError(`Project set for setting ${label}, which takes none`);
  if (needs.user && !user && !options.userOptional) throw new AppSettingError(`User unset for setting ${label}`);
  if (!needs.user && user) throw new AppSettingError(`User set for setting ${label}, which takes none`);
  return { project, user };
}

const describe = (def: SettingDefinition) => `"${def.plugin}.${def.name}" (scope ${def.scope})`;

/** `project_id`/`user_id` conditions of a scope, with parameters from `$first`. */
function targetWhere(target: SettingTarget, first: number): { sql: string; params: number[] } {
  const parts: string[] = [];
  const params: number[] = [];
  for (const [column, value] of [['project_id', target.project?.id], ['user_id', target.user?.id]] as const) {
    if (value === undefined) parts.push(`${column} IS NULL`);
    else {
      params.push(value);
      parts.push(`${column} = $${first + params.length - 1}`);
    }
  }
  return { sql: parts.join(' AND '), params };
}

export interface SetResult {
  /** Whether the value in effect changed (false: it was already this value, stored or by default). */
  changed: boolean;
  /** The value before, the default when no row existed. */
  previous: SettingValue;
}

/**
 * The stored SITE values, which rules read on every request (site read-only mode) without a
 * statement: refreshed with the plugin states, so other processes follow within the same
 * delay, and updated at once when this process sets one. Made before the rules, which
 * are made before the database is open.
 */
export class SiteValues {
  private values = new Map<string, SettingValue>();

  get(key: string): SettingValue | undefined {
    return this.values.get(key);
  }
  set(key: string, value: SettingValue): void {
    this.values.set(key, value);
  }
  delete(key: string): void {
    this.values.delete(key);
  }
  replace(values: Map<string, SettingValue>): void {
    this.values = values;
  }
  entries(): IterableIterator<[string, SettingValue]> {
    return this.values.entries();
  }
  /** Site read-only mode (projectroles.site_read_only). */
  readOnly(): boolean {
    return this.values.get('settings.projectroles.site_read_only') === true;
  }
}

export class AppSettings {
  /** Each user's USER settings, as the session user is kept: every page reads them (the user menu). */
  private readonly userCache: TtlCache<number, Readonly<Record<string, SettingValue>>>;

  /** `userCacheMs`: how long a user's USER settings may be served without a statement (CROSS_PROCESS_DELAY_SECONDS). */
  constructor(
    private readonly dataSource: DataSource,
    readonly definitions: SettingDefinitions,
    readonly siteValues: SiteValues,
    userCacheMs = 0,
  ) {
    this.userCache = new TtlCache(userCacheMs);
  }

  /**
   * The user's USER settings (as getAll), kept up to `userCacheMs`: another process's change
   * shows within that delay, this process's at once (set and delete drop the entry).
   */
  async userValues(user: Pick<User, 'id' | 'sodar_uuid'>): Promise<Readonly<Record<string, SettingValue>>> {
    const cached = this.userCache.get(user.id);
    if (cached) return cached;
    const values = Object.freeze(await this.getAll('USER', { user }));
    this.userCache.set(user.id, values);
    return values;
  }

  /** One setting's value for a project and/or user; the default when no row exists (or the user is anonymous, for USER settings). */
  async get<P extends string, N extends string>(plugin: P, name: N, args: SettingArgs = {}, db: Queryable = this.dataSource): Promise<SettingValueOf<P, N>> {
    const def = this.definitions.get(plugin, name);
    const target = checkScopeArgs(def.scope, describe(def), args, { userOptional: def.scope === 'USER' });
    if (def.scope === 'USER' && !target.user) return defaultFor(def, target) as SettingValueOf<P, N>;
    if (def.scope === 'SITE') return (this.siteValues.get(settingKey(def)) ?? defaultFor(def, target)) as SettingValueOf<P, N>;
    const where = targetWhere(target, 3);
    const rows: Array<{ value: SettingValue }> = await db.query(
      `SELECT value FROM projectroles_appsetting WHERE plugin_name = $1 AND name = $2 AND ${where.sql}`,
      [plugin, name, ...where.params],
    );
    return (rows[0] ? rows[0].value : defaultFor(def, target)) as SettingValueOf<P, N>;
  }

  /** Every setting of a scope as `{ 'settings.<plugin>.<name>': value }`, defaults filled, in one statement. */
  async getAll(scope: SettingScope, args: SettingArgs = {}, db: Queryable = this.dataSource): Promise<Record<string, SettingValue>> {
    const defs = this.definitions.list({ scope });
    const stored = new Map<string, SettingValue>();
    if (scope === 'SITE') for (const [key, value] of this.siteValues.entries()) stored.set(key, value);
    else if (defs.length > 0) {
      const target = checkScopeArgs(scope, `of scope ${scope}`, args);
      const where = targetWhere(target, 1);
      const rows: Array<{ plugin_name: string; name: string; value: SettingValue }> = await db.query(
        `SELECT plugin_name, name, value FROM projectroles_appsetting WHERE ${where.sql}`,
        where.params,
      );
      for (const row of rows) stored.set(`settings.${row.plugin_name}.${row.name}`, row.value);
    }
    const target: SettingTarget = { project: args.project ?? null, user: args.user ?? null };
    return Object.fromEntries(defs.map((def) => [settingKey(def), stored.get(settingKey(def)) ?? defaultFor(def, target)]));
  }

  /** The defaults of a scope as `{ 'settings.<plugin>.<name>': value }`. */
  getDefaults(scope: SettingScope, args: SettingArgs = {}): Record<string, SettingValue> {
    const target: SettingTarget = { project: args.project ?? null, user: args.user ?? null };
    return Object.fromEntries(this.definitions.list({ scope }).map((def) => [settingKey(def), defaultFor(def, target)]));
  }

  /** One PROJECT setting for many projects (a list column, say), in one statement: project id to value. */
  async valuesForProjects(plugin: string, name: string, projects: ReadonlyArray<Pick<Project, 'id' | 'sodar_uuid' | 'type'>>, db: Queryable = this.dataSource): Promise<Map<number, SettingValue>> {
    const def = this.definitions.get(plugin, name);
    if (def.scope !== 'PROJECT') throw new AppSettingError(`Setting "${plugin}.${name}" has scope ${def.scope}; valuesForProjects reads PROJECT settings`);
    const rows: Array<{ project_id: number; value: SettingValue }> =
      projects.length === 0
        ? []
        : await db.query(
            `SELECT project_id, value FROM projectroles_appsetting WHERE plugin_name = $1 AND name = $2 AND user_id IS NULL AND project_id = ANY ($3::int[])`,
            [plugin, name, projects.map((p) => p.id)],
          );
    const stored = new Map(rows.map((row) => [row.project_id, row.value]));
    return new Map(projects.map((project) => [project.id, stored.has(project.id) ? (stored.get(project.id) as SettingValue) : defaultFor(def, { project, user: null })]));
  }

  /**
   * Stores a value after checking scope arguments, project type, type and options. Runs in
   * `db` (a transaction's manager) when given. Throws AppSettingError.
   */
  async set(plugin: string, name: string, value: unknown, args: SettingArgs = {}, db: Queryable = this.dataSource): Promise<SetResult> {
    const def = this.definitions.get(plugin, name);
    const target = checkScopeArgs(def.scope, describe(def), args);
    if (target.project && !def.projectTypes.includes(target.project.type)) throw new AppSettingError(`Project type ${target.project.type} not allowed for setting ${name}`);
    const checked = checkValue(def, value, target);
    const where = targetWhere(target, 4);
    // One statement: the previous value, and the upsert when it differs (NULLS NOT DISTINCT makes SITE and USER rows unique too).
    const [row]: Array<{ previous: SettingValue | null; existed: boolean; changed: boolean }> = await db.query(
      `WITH old AS (SELECT value FROM projectroles_appsetting WHERE plugin_name = $1 AND name = $2 AND ${where.sql}),
       written AS (
         INSERT INTO projectroles_appsetting (sodar_uuid, plugin_name, name, value, project_id, user_id)
         VALUES (gen_random_uuid(), $1, $2, $3::jsonb, ${target.project ? '$4::int' : 'NULL::int'}, ${target.user ? `$${target.project ? 5 : 4}::int` : 'NULL::int'})
         ON CONFLICT ON CONSTRAINT unique_app_setting_name DO UPDATE SET value = EXCLUDED.value, date_modified = now()
           WHERE projectroles_appsetting.value IS DISTINCT FROM EXCLUDED.value
         RETURNING 1)
       SELECT (SELECT value FROM old) AS previous, EXISTS (SELECT 1 FROM old) AS existed, EXISTS (SELECT 1 FROM written) AS changed`,
      [plugin, name, JSON.stringify(checked), ...where.params],
    );
    if (def.scope === 'SITE') this.siteValues.set(settingKey(def), checked);
    if (def.scope === 'USER' && target.user) this.userCache.delete(target.user.id);
    const previous = row?.existed ? (row.previous as SettingValue) : defaultFor(def, target);
    return { changed: row?.changed === true && JSON.stringify(previous) !== JSON.stringify(checked), previous };
  }

  /** Deletes the row (the value returns to its default). PROJECT_USER with only a project deletes it for every user. */
  async delete(plugin: string, name: string, args: SettingArgs = {}, db: Queryable = this.dataSource): Promise<void> {
    const def = this.definitions.get(plugin, name);
    const allUsers = def.scope === 'PROJECT_USER' && args.project && !args.user;
    const target = checkScopeArgs(def.scope, describe(def), args, { userOptional: allUsers === true });
    const where = targetWhere(target, 3);
    const condition = allUsers ? where.sql.replace('user_id IS NULL', 'true') : where.sql;
    await db.query(`DELETE FROM projectroles_appsetting WHERE plugin_name = $1 AND name = $2 AND ${condition}`, [plugin, name, ...where.params]);
    if (def.scope === 'SITE') this.siteValues.delete(settingKey(def));
    if (def.scope === 'USER' && target.user) this.userCache.delete(target.user.id);
  }

  /** Re-reads the SITE values (one statement); run with the plugin-state refresh. */
  async refreshSiteValues(): Promise<void> {
    const rows: Array<{ plugin_name: string; name: string; value: SettingValue }> = await this.dataSource.query(
      'SELECT plugin_name, name, value FROM projectroles_appsetting WHERE project_id IS NULL AND user_id IS NULL',
    );
    this.siteValues.replace(new Map(rows.map((row) => [`settings.${row.plugin_name}.${row.name}`, row.value])));
  }
}
