/**
 * The plugin registry: apps are added by registering a plugin class. It validates at once,
 * answers which plugins are active, hands out backend APIs, and starts and stops plugins.
 */
import type { EntitySchema, MigrationInterface } from 'typeorm';
import type {
  BackendPluginPoint,
  BackendPlugins,
  PluginClass,
  PluginPoint,
  PluginType,
} from './plugin-points';
import type { PluginContext } from './plugin-context';
import type { PluginLoadFailure } from './plugin-loader';
import { nameConflict, PluginDefinitionError, pluginTypeOf, prefixConflict, urlPrefixOf, validatePlugin } from './plugin-validation';
import type { RuleSet } from './rules';

/** Where a plugin comes from: built in, or a drop-in folder. */
export interface PluginOrigin {
  /** `built in`, or the drop-in folder's path. */
  source: string;
  /** Folder holding the plugin's `static/` and `views/`. */
  dir: string;
}

export interface PluginEntry {
  readonly plugin: PluginPoint;
  readonly type: PluginType;
  readonly className: string;
  readonly origin: PluginOrigin;
  /** Core plugins (the plugins page itself) cannot be disabled. */
  readonly core: boolean;
  /** `ok` once started; `failed` when its start threw under PLUGIN_BOOT_FAILURE=continue. */
  status: 'registered' | 'ok' | 'failed';
  error: string | null;
  /** The context handed to onStart, kept for the plugin's route handlers (`req.plugin`); null before start. */
  context: PluginContext | null;
}

type BackendName = keyof BackendPlugins;
type BackendApiArgs<K extends BackendName> = BackendPlugins[K] extends { getApi(...args: infer A): unknown } ? A : never;
type BackendApi<K extends BackendName> = BackendPlugins[K] extends { getApi(...args: never[]): infer R } ? R : never;

/** A plugin's start failed and PLUGIN_BOOT_FAILURE is not `continue`. */
export class PluginStartError extends Error {
  constructor(entry: PluginEntry, cause: unknown) {
    super(`Plugin '${entry.plugin.name}' (${entry.className}, ${entry.origin.source}) failed to start: ${(cause as Error).message ?? String(cause)}`, { cause });
    this.name = 'PluginStartError';
  }
}

export const BUILT_IN: PluginOrigin = { source: 'built in', dir: '' };

const stateKey = (type: PluginType, name: string) => `${type}:${name}`;

export class PluginRegistry {
  private readonly entries: PluginEntry[] = [];
  private disabled = new Set<string>();
  /** Drop-in folders that failed to load under PLUGIN_BOOT_FAILURE=continue. */
  loadFailures: PluginLoadFailure[] = [];

  constructor(
    private readonly options: {
      /** ENABLED_BACKEND_PLUGINS: null allows every backend plugin. */
      enabledBackendPlugins: string[] | null;
      rules: RuleSet;
    },
  ) {}

  /** Validates and adds a plugin class; throws PluginDefinitionError naming the class and member. */
  register(PluginClass: PluginClass, origin: PluginOrigin = BUILT_IN, options: { core?: boolean } = {}): PluginEntry {
    const className = typeof PluginClass === 'function' && PluginClass.name ? PluginClass.name : String(PluginClass);
    const fail = (problem: string): never => {
      throw new PluginDefinitionError(className, origin.source, problem);
    };
    if (typeof PluginClass !== 'function') fail('is not a class');
    const type = pluginTypeOf(PluginClass, fail);
    let plugin: PluginPoint;
    try {
      plugin = new PluginClass();
    } catch (error) {
      return fail(`constructor threw: ${(error as Error).message}`);
    }
    const core = options.core ?? false;
    // The name first: a wrong name explains the member errors it causes (rule prefixes, tables).
    const conflict = typeof plugin.name === 'string' ? nameConflict(plugin.name, { source: origin.source, type, core }, this.entries) : null;
    if (conflict) fail(conflict);
    validatePlugin(plugin, type, fail);
    const prefixClash = prefixConflict(urlPrefixOf(plugin), { source: origin.source, type, core }, this.entries);
    if (prefixClash) fail(prefixClash);
    this.addRules(plugin, fail);
    const entry: PluginEntry = { plugin, type, className, origin, core, status: 'registered', error: null, context: null };
    this.entries.push(entry);
    return entry;
  }

  private addRules(plugin: PluginPoint, fail: (problem: string) => never): void {
    for (const [name, predicate] of Object.entries(plugin.rules)) {
      if (this.options.rules.has(name)) fail(`rule "${name}" is already defined`);
      this.options.rules.add(name, predicate);
    }
    const permission = (plugin as { appPermission?: string | null }).appPermission;
    if (permission && !this.options.rules.has(permission)) fail(`member "appPermission" names rule "${permission}", which is not defined`);
  }

  /** Every registered plugin, in registration order. */
  all(): readonly PluginEntry[] {
    return this.entries;
  }

  /** Whether the plugin may be used now: started fine, not disabled, and allowed by configuration. */
  isActive(entry: PluginEntry): boolean {
    if (entry.status === 'failed' || this.disabled.has(stateKey(entry.type, entry.plugin.name))) return false;
    const allowed = this.options.enabledBackendPlugins;
    return entry.type !== 'backend' || allowed === null || allowed.includes(entry.plugin.name);
  }

  /** Whether it is switched on (regardless of failures and configuration). */
  isEnabled(entry: PluginEntry): boolean {
    return !this.disabled.has(stateKey(entry.type, entry.plugin.name));
  }

  /** Active plugins of a type, by `pluginOrdering` (project apps with customOrder) or by name. */
  getActivePlugins(type: PluginType, options: { customOrder?: boolean } = {}): PluginPoint[] {
    const byOrdering = options.customOrder && type === 'project_app';
    return this.entries
      .filter((entry) => entry.type === type && this.isActive(entry))
      .map((entry) => entry.plugin)
      .sort((a, b) => (byOrdering ? a.pluginOrdering - b.pluginOrdering : 0) || a.name.localeCompare(b.name));
  }

  /** The active plugin of that name (of that type when given), or null. */
  getAppPlugin(name: string, type?: PluginType): PluginPoint | null {
    const entry = this.entries.find((e) => e.plugin.name === name && (type === undefined || e.type === type) && this.isActive(e));
    return entry?.plugin ?? null;
  }

  /**
   * The API of backend plugin `name`, built with `args`; null when the plugin is absent,
   * left out of ENABLED_BACKEND_PLUGINS, disabled, or failed. Typed per name through
   * `BackendPlugins`, so callers need no cast.
   */
  getBackendApi<K extends BackendName>(name: K, ...args: BackendApiArgs<K>): BackendApi<K> | null {
    const plugin = this.getAppPlugin(name, 'backend') as BackendPluginPoint | null;
    // The cast is where the name-to-type map meets the runtime lookup; register() made sure
    // `getApi` exists, and BackendPlugins says what it returns for this name.
    return plugin ? (plugin.getApi(...(args as unknown as never[])) as BackendApi<K>) : null;
  }

  /** Switches one plugin on or off in this process (the database row is the caller's job). */
  setEnabled(type: PluginType, name: string, enabled: boolean): void {
    if (enabled) this.disabled.delete(stateKey(type, name));
    else this.disabled.add(stateKey(type, name));
  }

  /** Replaces the set of disabled plugins (from the database, see plugin-states.ts). */
  setDisabled(keys: Array<{ type: PluginType; name: string }>): void {
    this.disabled = new Set(keys.map((key) => stateKey(key.type, key.name)));
  }

  entities(): EntitySchema[] {
    return this.entries.flatMap((entry) => entry.plugin.entities);
  }

  migrations(): Array<new () => MigrationInterface> {
    return this.entries.flatMap((entry) => entry.plugin.migrations);
  }

  /**
   * Runs each plugin's onStart in registration order. A failure stops start-up with an
   * error naming the plugin, unless `continueOnFailure`: then the plugin is marked failed.
   */
  async start(contextFor: (entry: PluginEntry) => PluginContext, continueOnFailure: boolean): Promise<void> {
    for (const entry of this.entries) {
      try {
        entry.context = contextFor(entry);
        await entry.plugin.onStart?.(entry.context);
        entry.status = 'ok';
      } catch (error) {
        if (!continueOnFailure) throw new PluginStartError(entry, error);
        entry.status = 'failed';
        entry.error = (error as Error).message ?? String(error);
      }
    }
  }

  /** Runs onStop in reverse registration order; returns the errors instead of stopping at one. */
  async stop(): Promise<Error[]> {
    const errors: Error[] = [];
    for (const entry of [...this.entries].reverse()) {
      if (entry.status !== 'ok') continue;
      try {
        await entry.plugin.onStop?.();
      } catch (error) {
        errors.push(new Error(`Plugin '${entry.plugin.name}' failed to stop: ${(error as Error).message}`));
      }
    }
    return errors;
  }
}
