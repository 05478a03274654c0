/**
 * Checks a plugin class when it is registered and fills in the defaults a plain class
 * (a drop-in written without our base classes) leaves out. Every failure names the class,
 * the member and what is wrong.
 */
import { EntitySchema, type EntitySchemaOptions } from 'typeorm';
import { completeDefinition } from './app-setting-definitions';
import type { PluginPoint, PluginRoute, PluginType } from './plugin-points';
import type { PluginEntry } from './registry';

export const PLUGIN_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
/**
 * Names and URL prefixes no plugin may take, with the reason: every plugin is mounted at
 * `/<urlPrefix>/` (its name by default), so these are the first URL segments the core serves
 * and the names it keeps. The one list, checked by the registry at start and by
 * `npm run new-plugin` before it writes a folder; a name or prefix another plugin holds is
 * refused as well (see nameConflict, prefixConflict).
 */
export const RESERVED_PLUGIN_NAMES: Readonly<Record<string, string>> = {
  project: 'the core serves its project pages under /project/',
  login: 'the core serves /login',
  logout: 'the core serves /logout',
  static: 'the core serves its files under /static/',
  healthz: 'the core serves /healthz',
  readyz: 'the core serves /readyz',
  plugins: 'the core serves the plugins page under /plugins/',
  api: 'kept for the site-wide REST API under /api/',
  projectroles: 'it is the core app (its rules, templates and timeline events use the name)',
};
const ICON_PATTERN = /^[a-z0-9-]+$/;
const ROUTE_METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const PLUGIN_TYPES: PluginType[] = ['backend', 'project_app', 'site_app'];

export class PluginDefinitionError extends Error {
  constructor(className: string, origin: string, problem: string) {
    super(`Plugin class ${className} (${origin}): ${problem}`);
    this.name = 'PluginDefinitionError';
  }
}

type Check = (value: unknown) => boolean;
const isString: Check = (value) => typeof value === 'string';
const isNonEmptyString: Check = (value) => typeof value === 'string' && value.trim() !== '';
const isStringOrNull: Check = (value) => value === null || typeof value === 'string';
const isFunction: Check = (value) => typeof value === 'function';
const isArray: Check = (value) => Array.isArray(value);
const isNumber: Check = (value) => typeof value === 'number' && Number.isFinite(value);
const isBoolean: Check = (value) => typeof value === 'boolean';
const isObject: Check = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

interface MemberSpec {
  check: Check;
  expected: string;
  /** Absent means mandatory. */
  fallback?: () => unknown;
}

const COMMON: Record<string, MemberSpec> = {
  name: {
    check: (v) => isString(v) && PLUGIN_NAME_PATTERN.test(v as string),
    expected: 'a string matching ^[a-z][a-z0-9_]*$',
  },
  urlPrefix: {
    check: (v) => v === undefined || (isString(v) && PLUGIN_NAME_PATTERN.test(v as string)),
    expected: 'a string matching ^[a-z][a-z0-9_]*$ (or left out: the name)',
  },
  title: { check: isNonEmptyString, expected: 'a non-empty string' },
  icon: { check: (v) => isString(v) && ICON_PATTERN.test(v as string), expected: 'a Font Awesome 4.7 icon name without "fa-", e.g. "cubes"' },
  description: { check: isString, expected: 'a string' },
  urls: { check: isArray, expected: 'an array of routes', fallback: () => [] },
  appSettings: { check: isArray, expected: 'an array', fallback: () => [] },
  rules: { check: isObject, expected: 'an object of rule name to predicate', fallback: () => ({}) },
  entities: { check: isArray, expected: 'an array of EntitySchema', fallback: () => [] },
  migrations: { check: isArray, expected: 'an array of migration classes', fallback: () => [] },
  pluginOrdering: { check: isNumber, expected: 'a number', fallback: () => 50 },
  getStatistics: { check: isFunction, expected: 'a method', fallback: () => () => ({}) },
  getObjectLink: { check: isFunction, expected: 'a method', fallback: () => () => null },
};

const BY_TYPE: Record<PluginType, Record<string, MemberSpec>> = {
  backend: {
    getApi: { check: isFunction, expected: 'a method returning the API' },
    javascriptUrl: { check: isStringOrNull, expected: 'a path under static/ or null', fallback: () => null },
    cssUrl: { check: isStringOrNull, expected: 'a path under static/ or null', fallback: () => null },
  },
  project_app: {
    entryPoint: { check: isNonEmptyString, expected: 'the name of one of its routes' },
    appPermission: { check: isNonEmptyString, expected: 'a rule name' },
    categoryEnable: { check: isBoolean, expected: 'a boolean', fallback: () => false },
    searchEnable: { check: isBoolean, expected: 'a boolean', fallback: () => false },
    searchTypes: { check: isArray, expected: 'an array of strings', fallback: () => [] },
    detailsTemplate: { check: isStringOrNull, expected: 'a template name or null', fallback: () => null },
    detailsTitle: { check: isStringOrNull, expected: 'a string or null', fallback: () => null },
    projectListColumns: { check: isObject, expected: 'an object', fallback: () => ({}) },
    search: { check: isFunction, expected: 'a method', fallback: () => () => [] },
    getProjectListValue: { check: isFunction, expected: 'a method', fallback: () => () => null },
  },
  site_app: {
    entryPoint: { check: isNonEmptyString, expected: 'the name of one of its routes' },
    appPermission: { check: isStringOrNull, expected: 'a rule name or null' },
  },
};

function describeValue(value: unknown): string {
  if (value === undefined) return 'it is missing';
  if (value === null) return 'got null';
  if (Array.isArray(value)) return 'got an array';
  return `got ${typeof value}`;
}

export function pluginTypeOf(PluginClass: unknown, fail: (problem: string) => never): PluginType {
  const type = (PluginClass as { pluginType?: unknown }).pluginType;
  if (!PLUGIN_TYPES.includes(type as PluginType)) {
    fail(`static member "pluginType" must be one of ${PLUGIN_TYPES.join(', ')} (${describeValue(type)}); extend BackendPluginPoint, ProjectAppPluginPoint or SiteAppPluginPoint`);
  }
  return type as PluginType;
}

function checkRoute(route: unknown, index: number, fail: (problem: string) => never): void {
  const r = route as Partial<PluginRoute>;
  const where = `urls[${index}]`;
  if (!isObject(route)) fail(`${where} must be a route object`);
  if (!isNonEmptyString(r.name)) fail(`${where}.name must be a non-empty string`);
  if (!ROUTE_METHODS.includes(r.method as string)) fail(`${where}.method must be one of ${ROUTE_METHODS.join(', ')}`);
  if (!isString(r.path) || !(r.path as string).startsWith('/')) fail(`${where}.path must be a string starting with "/"`);
  if (r.kind !== 'page' && r.kind !== 'ajax') fail(`${where}.kind must be "page" or "ajax"`);
  if (!isFunction(r.handler)) fail(`${where}.handler must be a function`);
  if (r.permission !== undefined && !isStringOrNull(r.permission)) fail(`${where}.permission must be a rule name or null`);
}

/** The first URL segment of a plugin's routes: `urlPrefix`, else its name. */
export function urlPrefixOf(plugin: Pick<PluginPoint, 'name' | 'urlPrefix'>): string {
  return plugin.urlPrefix ?? plugin.name;
}

/** Validates the instance in place, filling defaults; calls `fail` (which throws) on the first problem. */
export function validatePlugin(plugin: PluginPoint, type: PluginType, fail: (problem: string) => never): void {
  const target = plugin as unknown as Record<string, unknown>;
  for (const [member, spec] of Object.entries({ ...COMMON, ...BY_TYPE[type] })) {
    if (target[member] === undefined && spec.fallback) target[member] = spec.fallback();
    if (!spec.check(target[member])) fail(`member "${member}" must be ${spec.expected} (${describeValue(target[member])})`);
  }
  plugin.urlPrefix = urlPrefixOf(plugin);
  plugin.urls.forEach((route, index) => checkRoute(route, index, fail));
  const routeNames = plugin.urls.map((route) => route.name);
  const duplicate = routeNames.find((name, index) => routeNames.indexOf(name) !== index);
  if (duplicate) fail(`route name "${duplicate}" is used twice in "urls"`);
  const entryPoint = target.entryPoint;
  if (typeof entryPoint === 'string' && !routeNames.includes(entryPoint)) {
    fail(`member "entryPoint" names route "${entryPoint}", which is not in "urls"`);
  }
  for (const setting of plugin.appSettings) completeDefinition(plugin.name, setting, fail);
  for (const ruleName of Object.keys(plugin.rules)) {
    if (!ruleName.startsWith(`${plugin.name}.`)) fail(`rule "${ruleName}" must be named "${plugin.name}.<permission>"`);
  }
  // A drop-in outside this repository cannot import typeorm; it may give EntitySchema options.
  plugin.entities = plugin.entities.map((entity) =>
    entity instanceof EntitySchema ? entity : new EntitySchema(entity as unknown as EntitySchemaOptions<unknown>),
  );
  for (const entity of plugin.entities) {
    const table = entity.options.tableName ?? '';
    if (!table.startsWith(`${plugin.name}_`)) fail(`entity table "${table}" must be prefixed "${plugin.name}_"`);
  }
}

/** Who wants a name: a plugin's origin (`built in` or its folder), its type (null: any), and whether it is part of the core. */
export interface NameClaim {
  source: string;
  type: PluginType | null;
  core: boolean;
}

function holderOf(entry: PluginEntry): string {
  const where = entry.origin.source === 'built in' ? 'built in' : `in ${entry.origin.source}`;
  return `the ${entry.type} plugin ${entry.className} (${where})`;
}

/**
 * Why `name` cannot be used for `claim`, or null. Reserved names are the core's (its own
 * plugins page among them). One origin may use a name for several types (timeline is a
 * backend, a project app and more), never one type twice; another origin may not use it at
 * all: its routes, static files and templates would be shadowed by the first.
 */
export function nameConflict(name: string, claim: NameClaim, registered: readonly PluginEntry[]): string | null {
  const reserved = Object.hasOwn(RESERVED_PLUGIN_NAMES, name) ? RESERVED_PLUGIN_NAMES[name] : undefined;
  if (reserved && !claim.core) return `name "${name}" is reserved: ${reserved}`;
  const holder = registered.find((entry) => entry.plugin.name === name && (entry.origin.source !== claim.source || entry.type === claim.type));
  if (!holder) return null;
  if (holder.origin.source === claim.source) return `name "${name}" is already registered as a ${holder.type} plugin`;
  return `name "${name}" is already taken by ${holderOf(holder)}`;
}

/**
 * Why `prefix` (a plugin's first URL segment) cannot be used for `claim`, or null: the same
 * rules as names (reserved segments; one origin may share a prefix across types, as
 * timeline's backend and project app do; another origin never), since two routers on one
 * segment would shadow each other's routes.
 */
export function prefixConflict(prefix: string, claim: NameClaim, registered: readonly PluginEntry[]): string | null {
  const reserved = Object.hasOwn(RESERVED_PLUGIN_NAMES, prefix) ? RESERVED_PLUGIN_NAMES[prefix] : undefined;
  if (reserved && !claim.core) return `URL prefix "/${prefix}/" is reserved: ${reserved}`;
  const holder = registered.find((entry) => urlPrefixOf(entry.plugin) === prefix && (entry.origin.source !== claim.source || entry.type === claim.type));
  return holder ? `URL prefix "/${prefix}/" is already taken by ${holderOf(holder)}` : null;
}
