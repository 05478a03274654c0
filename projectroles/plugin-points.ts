/**
 * Plugin points: an app is added by registering a subclass of one of these (SODAR Core's
 * `plugins.py`, with TypeScript casing). Members left out take the defaults below.
 */
import type { NextFunction, Response } from 'express';
import type { EntitySchema, MigrationInterface } from 'typeorm';
import type { AppSettingDef, SettingValue } from './app-setting-definitions';
import type { Project, User } from './entities';
import type { ModifyChange } from './modify-hooks';
import type { PluginContext, PluginRequest } from './plugin-context';
import type { Predicate } from './rules';

export type PluginType = 'backend' | 'project_app' | 'site_app';

/** A route of a plugin, mounted by the registry under `/<urlPrefix>/` (pages) or `/<urlPrefix>/ajax/`. */
export interface PluginRoute {
  /** Name of the route, unique in the plugin (SODAR's URL name). */
  name: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Path below the prefix, e.g. `/hello` or `/thing/:thing`; every `:param` is a sodar_uuid unless `params` says otherwise. */
  path: string;
  /** Patterns of the path parameters that are not sodar_uuids, e.g. `{ object_model: /^\w+$/ }`. */
  params?: Record<string, RegExp>;
  /** Pages answer denial with redirects; Ajax routes with JSON 403. */
  kind: 'page' | 'ajax';
  /**
   * Routes without `:project`: also let anonymous users through when ALLOW_ANONYMOUS is on,
   * for handlers that check access themselves (a public project's event, say).
   */
  anonymous?: boolean;
  /** Rule checked before the handler; defaults to the plugin's `appPermission`. */
  permission?: string | null;
  /** Gets the plugin's context as `req.plugin` (config, dataSource, logger, registry, ...). */
  handler: (req: PluginRequest, res: Response, next: NextFunction) => unknown;
}

/** A statistic for the plugins and site info pages. */
export interface PluginStatistic {
  label: string;
  value: number | string | boolean;
  url?: string;
  description?: string;
}

/** A link to an object of the plugin, for timeline descriptions and search results. */
export interface PluginObjectLink {
  url: string;
  name: string;
  /** Open in a new tab. */
  blank?: boolean;
}


export interface PluginSearchResult {
  category: string;
  title: string;
  searchTypes: string[];
  items: Array<{ name: string; url: string; project?: string }>;
}

/** Project column of the home project list. */
export interface ProjectListColumn {
  title: string;
  width?: number;
  description?: string;
  align?: 'left' | 'center' | 'right';
  active?: boolean;
  ordering?: number;
}

export type { AppSettingDef } from './app-setting-definitions';

/** What every plugin has. */
export abstract class PluginPoint {
  /** Unique name within its type, `^[a-z][a-z0-9_]*$`; also the URL prefix unless `urlPrefix` says otherwise. */
  abstract readonly name: string;
  /**
   * First URL segment of the plugin's routes when it differs from the name (SODAR mounts
   * userprofile at `/user/`); same pattern and reserved words as names. Default: the name.
   */
  urlPrefix?: string;
  /** Human-readable title. */
  abstract readonly title: string;
  /** Font Awesome 4.7 icon name without `fa-`, e.g. `cubes`. */
  abstract readonly icon: string;
  /** One-line description. */
  abstract readonly description: string;
  /** Routes the registry mounts under `/<urlPrefix>/`. */
  urls: PluginRoute[] = [];
  /** App settings declared by the plugin (stored and read through `context.settings`). */
  appSettings: AppSettingDef[] = [];
  /** Permission rules of the plugin, named `<name>.<permission>`. */
  rules: Record<string, Predicate> = {};
  /** Tables of the plugin (named `<name>_...`), migrated with the app's. */
  entities: EntitySchema[] = [];
  migrations: Array<new () => MigrationInterface> = [];
  /** Ordering in lists and menus; lower first. */
  pluginOrdering = 50;

  /** Runs at start, in registration order; throwing stops start-up (or marks the plugin failed). */
  onStart?(context: PluginContext): Promise<void> | void;
  /** Runs at shutdown, in reverse registration order. */
  onStop?(): Promise<void> | void;

  // Project and role change hooks (SODAR's ProjectModifyPluginMixin): each `perform*` runs
  // inside the transaction of the change; if a later plugin fails, the `revert*` of those
  // already run are called in reverse order and the transaction is rolled back.
  performProjectModify?(change: ModifyChange): Promise<void>;
  revertProjectModify?(change: ModifyChange): Promise<void>;
  performRoleModify?(change: ModifyChange): Promise<void>;
  revertRoleModify?(change: ModifyChange): Promise<void>;
  performRoleDelete?(change: ModifyChange): Promise<void>;
  revertRoleDelete?(change: ModifyChange): Promise<void>;
  performOwnerTransfer?(change: ModifyChange): Promise<void>;
  revertOwnerTransfer?(change: ModifyChange): Promise<void>;
  performProjectArchive?(change: ModifyChange): Promise<void>;
  revertProjectArchive?(change: ModifyChange): Promise<void>;
  performProjectDelete?(change: ModifyChange): Promise<void>;
  /** A PROJECT or PROJECT_USER setting changed: `pluginName`, `settingName`, `value`, `previousValue`, `project`, `user`. */
  performProjectSettingUpdate?(change: ModifyChange): Promise<void>;
  revertProjectSettingUpdate?(change: ModifyChange): Promise<void>;
  /**
   * Extra checks of this plugin's PROJECT settings posted in the project form (SODAR's
   * validate_form_app_settings): `values` by setting name, `project` null when creating.
   * Returns `{ name: error }` for the fields to mark; throwing refuses the whole form.
   */
  validateFormAppSettings?(values: Record<string, SettingValue>, options: { project: Project | null }): Promise<Record<string, string>> | Record<string, string>;

  getStatistics(): Promise<Record<string, PluginStatistic>> | Record<string, PluginStatistic> {
    return {};
  }
  getObjectLink(_model: string, _uuid: string): Promise<PluginObjectLink | null> | PluginObjectLink | null {
    return null;
  }
}

/** A plugin offering an API to other apps through `getBackendApi(name)`. */
export abstract class BackendPluginPoint extends PluginPoint {
  static readonly pluginType: PluginType = 'backend';
  /** Script under the plugin's `static/` folder, included by `backendInclude(name, 'js')`. */
  javascriptUrl: string | null = null;
  /** Stylesheet under the plugin's `static/` folder, included by `backendInclude(name, 'css')`. */
  cssUrl: string | null = null;
  /** Returns the API object; the arguments are those given to `getBackendApi`. */
  abstract getApi(...args: never[]): unknown;
}

/** A plugin adding pages inside every project. */
export abstract class ProjectAppPluginPoint extends PluginPoint {
  static readonly pluginType: PluginType = 'project_app';
  /** Name of the route opened from the project sidebar; it takes the project UUID. */
  abstract readonly entryPoint: string;
  /** Rule checked (with the project) to show and open the app. */
  abstract readonly appPermission: string;
  /** Whether the app also appears in categories. */
  categoryEnable = false;
  searchEnable = false;
  searchTypes: string[] = [];
  /** Template of the card on the project detail page, or null. */
  detailsTemplate: string | null = null;
  detailsTitle: string | null = null;
  projectListColumns: Record<string, ProjectListColumn> = {};

  search(_terms: string[], _user: User, _options: { type?: string; projectUuids?: string[] }): Promise<PluginSearchResult[]> | PluginSearchResult[] {
    return [];
  }
  getProjectListValue(_columnId: string, _projectUuid: string, _user: User | null): Promise<string | number | null> | string | number | null {
    return null;
  }
}

/** A plugin adding site-wide pages, listed in the user menu. */
export abstract class SiteAppPluginPoint extends PluginPoint {
  static readonly pluginType: PluginType = 'site_app';
  /** Name of the route opened from the user menu (takes no parameters). */
  abstract readonly entryPoint: string;
  /** Rule checked without an object; null: visible to everyone. */
  abstract readonly appPermission: string | null;
}

/** Concrete plugin classes, as `register()` takes them. */
export type PluginClass = (new () => PluginPoint) & { pluginType: PluginType; name: string };

/**
 * Backend plugins by name, for typed `getBackendApi()`. Each backend app adds itself:
 *   declare module '../projectroles/plugin-points' {
 *     interface BackendPlugins { example_backend_app: ExampleBackendPlugin }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in each app
export interface BackendPlugins {}
