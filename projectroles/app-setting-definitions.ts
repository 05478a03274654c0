/**
 * App setting definitions (SODAR's `app_settings`, reference core §2.10): what a plugin
 * declares, projectroles' own table, the checks a definition passes at registration, and the
 * checks a value passes before it is stored. A value is kept typed (JSON in the database), so
 * reading needs no conversion.
 */
import type { Project, ProjectType, User } from './entities';

export const SETTING_SCOPES = ['PROJECT', 'USER', 'PROJECT_USER', 'SITE'] as const;
export type SettingScope = (typeof SETTING_SCOPES)[number];
export const SETTING_TYPES = ['BOOLEAN', 'INTEGER', 'STRING', 'JSON'] as const;
export type SettingType = (typeof SETTING_TYPES)[number];
export type JsonValue = Record<string, unknown> | unknown[];
export type SettingValue = boolean | number | string | JsonValue;

/** What a callable default or option list is given. */
export interface SettingTarget {
  project: Pick<Project, 'id' | 'sodar_uuid' | 'type'> | null;
  user: Pick<User, 'id' | 'sodar_uuid'> | null;
}

export type SettingOption = SettingValue | { value: SettingValue; label: string };

export interface AppSettingDef {
  name: string;
  scope: SettingScope;
  type: SettingType;
  /** A value, or a function of the project and user; when absent, the type's empty value. */
  default?: SettingValue | ((target: SettingTarget) => SettingValue);
  /** Allowed values (a select in forms), or a function of the project and user returning them. */
  options?: SettingOption[] | ((target: SettingTarget) => SettingOption[]);
  label?: string;
  description?: string;
  placeholder?: string;
  /** Whether owners/delegates (PROJECT) or the user (USER, PROJECT_USER) may change it; default true. Superusers always may. */
  userModifiable?: boolean;
  /** SODAR's global_edit: edited only on a source site (kept for remote sites; nothing else reads it yet). */
  globalEdit?: boolean;
  /** PROJECT and PROJECT_USER: the project types it applies to; default PROJECT only. */
  projectTypes?: ProjectType[];
  /** Never shown back in a form, page or JSON; a form can only replace it (beyond SODAR, #974). */
  secret?: boolean;
  /**
   * PROJECT and PROJECT_USER: the rule a user must pass on the project to read the value
   * through the API, e.g. `projectroles.view_project` to show a feature flag to every
   * member; default `projectroles.view_project_settings` (owners and delegates) for PROJECT,
   * `projectroles.view_project` for PROJECT_USER (each member reads their own value, as SODAR).
   */
  readRule?: string;
}

/** A definition with its owner's name and every default filled in. */
export interface SettingDefinition extends AppSettingDef {
  plugin: string;
  userModifiable: boolean;
  globalEdit: boolean;
  projectTypes: ProjectType[];
  secret: boolean;
  readRule: string;
}

/** The settings of projectroles itself (reference core §2.10's table). */
export const PROJECTROLES_APP_SETTINGS: AppSettingDef[] = [
  { name: 'ip_restrict', scope: 'PROJECT', type: 'BOOLEAN', default: false, label: 'IP restrict', description: 'Restrict project access by an allowed IP list', globalEdit: true },
  {
    name: 'ip_allow_list',
    scope: 'PROJECT',
    type: 'STRING',
    default: '',
    label: 'IP allow list',
    description: 'List of allowed IPv4 addresses and networks (CIDR), separated by commas',
    placeholder: '192.168.1.1,10.0.0.0/24',
    globalEdit: true,
  },
  { name: 'notify_alert_project', scope: 'USER', type: 'BOOLEAN', default: true, label: 'Receive alerts for project updates', globalEdit: true },
  { name: 'notify_email_project', scope: 'USER', type: 'BOOLEAN', default: true, label: 'Receive email for project updates', globalEdit: true },
  { name: 'notify_alert_role', scope: 'USER', type: 'BOOLEAN', default: true, label: 'Receive alerts for project membership updates', globalEdit: true },
  { name: 'notify_email_role', scope: 'USER', type: 'BOOLEAN', default: true, label: 'Receive email for project membership updates', globalEdit: true },
  { name: 'site_read_only', scope: 'SITE', type: 'BOOLEAN', default: false, label: 'Site read-only mode', description: 'Only superusers may modify data while this is on' },
  { name: 'project_list_highlight', scope: 'USER', type: 'BOOLEAN', default: true, label: 'Highlight project list rows you have a role in', globalEdit: true },
  { name: 'project_list_home_starred', scope: 'USER', type: 'BOOLEAN', default: false, label: 'Show only starred projects on the home page', userModifiable: false },
  { name: 'user_dropdown_name_display', scope: 'USER', type: 'BOOLEAN', default: false, label: 'Display full name in the user menu', globalEdit: true },
  {
    name: 'project_list_pagination',
    scope: 'USER',
    type: 'INTEGER',
    default: 10,
    label: 'Project list pagination',
    description: 'Projects per page in the project list',
    options: [10, 25, 50, 100, { value: -1, label: 'No pagination' }],
    globalEdit: true,
  },
  {
    name: 'project_access_block',
    scope: 'PROJECT',
    type: 'BOOLEAN',
    default: false,
    label: 'Block project access',
    description: 'Temporarily block access to the project for everyone but superusers',
    userModifiable: false,
  },
  {
    name: 'category_public_stats',
    scope: 'PROJECT',
    type: 'BOOLEAN',
    default: false,
    label: 'Display public statistics',
    description: 'Display statistics of the category to every user (top-level categories only)',
    projectTypes: ['CATEGORY'],
  },
];

/** A definition, a scope argument or a value that SODAR's AppSettingAPI refuses (ValueError there). */
export class AppSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppSettingError';
  }
}

const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
const EMPTY: Record<SettingType, () => SettingValue> = { BOOLEAN: () => false, INTEGER: () => 0, STRING: () => '', JSON: () => ({}) };

const isLabelled = (option: SettingOption): option is { value: SettingValue; label: string } =>
  typeof option === 'object' && option !== null && !Array.isArray(option) && 'value' in option && 'label' in option;

export function optionValue(option: SettingOption): SettingValue {
  return isLabelled(option) ? option.value : option;
}

export function optionLabel(option: SettingOption): string {
  return isLabelled(option) ? option.label : String(option);
}

/** Checks one value against a type; returns the problem or null. */
function typeProblem(type: SettingType, value: unknown): string | null {
  switch (type) {
    case 'BOOLEAN':
      return typeof value === 'boolean' ? null : `Please enter value as bool (value=${String(value)}; type=${typeof value})`;
    case 'INTEGER':
      return Number.isSafeInteger(value) ? null : `Please enter a valid integer value (${String(value)})`;
    case 'STRING':
      return typeof value === 'string' ? null : `Please enter value as string (value=${String(value)}; type=${typeof value})`;
    case 'JSON':
      return typeof value === 'object' && value !== null ? null : `Please enter JSON value as dict or list (${JSON.stringify(value)})`;
  }
}

/**
 * Turns what a client sent into the type's value, as SODAR's REST does: an INTEGER may come
 * as a digit string, JSON as a string holding JSON. Throws AppSettingError.
 */
export function coerceValue(def: Pick<SettingDefinition, 'type'>, value: unknown): SettingValue {
  if (def.type === 'INTEGER' && typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  if (def.type === 'JSON' && typeof value === 'string') {
    if (value.trim() === '') return {};
    try {
      value = JSON.parse(value);
    } catch {
      throw new AppSettingError(`Value is not valid JSON: ${value as string}`);
    }
  }
  const problem = typeProblem(def.type, value);
  if (problem) throw new AppSettingError(problem);
  return value as SettingValue;
}

/** The definition's options for a target, evaluated when callable; null when it has none. */
export function optionsFor(def: SettingDefinition, target: SettingTarget): SettingOption[] | null {
  if (def.options === undefined) return null;
  return typeof def.options === 'function' ? def.options(target) : def.options;
}

/** The default for a target; a callable default that throws gives the type's empty value (as SODAR). */
export function defaultFor(def: SettingDefinition, target: SettingTarget): SettingValue {
  if (typeof def.default === 'function') {
    try {
      return def.default(target);
    } catch {
      return EMPTY[def.type]();
    }
  }
  return def.default ?? EMPTY[def.type]();
}

/** Throws AppSettingError when `value` is not of the type or not among the options. */
export function checkValue(def: SettingDefinition, value: unknown, target: SettingTarget): SettingValue {
  const problem = typeProblem(def.type, value);
  if (problem) throw new AppSettingError(problem);
  const options = optionsFor(def, target);
  if (options && !options.some((option) => JSON.stringify(optionValue(option)) === JSON.stringify(value))) {
    throw new AppSettingError(`Choice "${String(value)}" not found in options (${options.map((o) => String(optionValue(o))).join(', ')})`);
  }
  return value as SettingValue;
}

/** Fills defaults and checks one declared definition; `fail` names the plugin and setting. */
export function completeDefinition(plugin: string, declared: unknown, fail: (problem: string) => never): SettingDefinition {
  if (typeof declared !== 'object' || declared === null) fail('must be an object');
  const def = declared as Partial<AppSettingDef>;
  const where = (problem: string) => fail(`app setting "${String(def.name)}": ${problem}`);
  if (typeof def.name !== 'string' || !NAME_PATTERN.test(def.name)) fail(`app setting name ${JSON.stringify(def.name)} must match ^[a-z][a-z0-9_]*$`);
  if (!SETTING_SCOPES.includes(def.scope as SettingScope)) where(`scope must be one of ${SETTING_SCOPES.join(', ')} (got ${JSON.stringify(def.scope)})`);
  if (!SETTING_TYPES.includes(def.type as SettingType)) where(`type must be one of ${SETTING_TYPES.join(', ')} (got ${JSON.stringify(def.type)})`);
  for (const flag of ['userModifiable', 'globalEdit', 'secret'] as const) {
    if (def[flag] !== undefined && typeof def[flag] !== 'boolean') where(`${flag} must be a boolean`);
  }
  const inProject = def.scope === 'PROJECT' || def.scope === 'PROJECT_USER';
  if (def.projectTypes !== undefined) {
    if (!inProject) where('projectTypes applies to PROJECT and PROJECT_USER settings only');
    if (!Array.isArray(def.projectTypes) || def.projectTypes.length === 0 || def.projectTypes.some((t) => t !== 'PROJECT' && t !== 'CATEGORY')) {
      where('projectTypes must be a non-empty list of PROJECT and CATEGORY');
    }
  }
  if (def.readRule !== undefined && (!inProject || typeof def.readRule !== 'string')) where('readRule must be a rule name, for PROJECT and PROJECT_USER settings');
  if (def.options !== undefined && typeof def.options !== 'function' && !Array.isArray(def.options)) where('options must be a list or a function');
  const complete: SettingDefinition = {
    ...(def as AppSettingDef),
    plugin,
    userModifiable: def.userModifiable ?? true,
    globalEdit: def.globalEdit ?? false,
    projectTypes: def.projectTypes ?? ['PROJECT'],
    secret: def.secret ?? false,
    readRule: def.readRule ?? (def.scope === 'PROJECT_USER' ? 'projectroles.view_project' : 'projectroles.view_project_settings'),
  };
  const noTarget: SettingTarget = { project: null, user: null };
  if (Array.isArray(def.options)) {
    for (const option of def.options) {
      const problem = typeProblem(complete.type, optionValue(option));
      if (problem) where(`option ${JSON.stringify(optionValue(option))}: ${problem}`);
    }
  }
  if (def.default !== undefined && typeof def.default !== 'function') {
    try {
      checkValue(complete, def.default, noTarget);
    } catch (error) {
      where(`default: ${(error as Error).message}`);
    }
  }
  return complete;
}

/** Every definition of the site, by plugin and name; built once at start. */
export class SettingDefinitions {
  private readonly byPlugin = new Map<string, Map<string, SettingDefinition>>();

  /** Adds a plugin's definitions; throws naming the plugin and setting on the first bad one. */
  add(plugin: string, declared: readonly unknown[], hasRule: (name: string) => boolean): void {
    const fail = (problem: string): never => {
      throw new AppSettingError(`Plugin "${plugin}": ${problem}`);
    };
    const own = this.byPlugin.get(plugin) ?? new Map<string, SettingDefinition>();
    for (const item of declared) {
      const def = completeDefinition(plugin, item, fail);
      if (own.has(def.name)) fail(`app setting "${def.name}" is declared twice`);
      if (!hasRule(def.readRule)) fail(`app setting "${def.name}": readRule "${def.readRule}" is not a known rule`);
      own.set(def.name, def);
    }
    this.byPlugin.set(plugin, own);
  }

  /** The definition, or AppSettingError with SODAR's messages. */
  get(plugin: string, name: string): SettingDefinition {
    const own = this.byPlugin.get(plugin);
    if (!own) throw new AppSettingError(`Plugin not found with name "${plugin}"`);
    const def = own.get(name);
    if (!def) throw new AppSettingError(`App setting not found in plugin "${plugin}" with name "${name}"`);
    return def;
  }

  find(plugin: string, name: string): SettingDefinition | undefined {
    return this.byPlugin.get(plugin)?.get(name);
  }

  /** Definitions of a scope (all when omitted), projectroles first, then plugins by name. */
  list(filter: { scope?: SettingScope; plugins?: ReadonlySet<string>; userModifiable?: boolean } = {}): SettingDefinition[] {
    const plugins = [...this.byPlugin.keys()].sort((a, b) => (a === 'projectroles' ? -1 : b === 'projectroles' ? 1 : a.localeCompare(b)));
    return plugins
      .filter((plugin) => plugin === 'projectroles' || !filter.plugins || filter.plugins.has(plugin))
      .flatMap((plugin) => [...(this.byPlugin.get(plugin)?.values() ?? [])])
      .filter((def) => (filter.scope === undefined || def.scope === filter.scope) && (!filter.userModifiable || def.userModifiable));
  }
}

/** The form and JSON key of a setting, `settings.<plugin>.<name>`. */
export const settingKey = (def: Pick<SettingDefinition, 'plugin' | 'name'>) => `settings.${def.plugin}.${def.name}`;
