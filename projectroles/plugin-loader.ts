/**
 * Drop-in plugins (Karrot-like): each subfolder of a PLUGIN_DIRS folder holding `plugin.js`
 * or `plugin.ts` is loaded at start and every plugin class it exports is registered, with
 * no change to app code. Unlike Karrot, a broken plugin is never skipped silently: it stops
 * start-up with its folder named, or (PLUGIN_BOOT_FAILURE=continue) shows as failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PluginClass } from './plugin-points';
import type { PluginRegistry } from './registry';

const ENTRY_FILES = ['plugin.ts', 'plugin.js'];

/** A drop-in folder that could not be loaded or registered. */
export interface PluginLoadFailure {
  folder: string;
  error: string;
}

export class PluginLoadError extends Error {
  constructor(folder: string, problem: string) {
    super(`Drop-in plugin in ${folder}: ${problem}`);
    this.name = 'PluginLoadError';
  }
}

/** Folders below `dirs` that hold a plugin entry file, sorted for a stable order. */
export function findDropInFolders(dirs: string[]): Array<{ folder: string; file: string }> {
  return dirs.flatMap((dir) => {
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((item) => item.isDirectory() || item.isSymbolicLink())
      .map((item) => path.join(dir, item.name))
      .sort()
      .flatMap((folder) => {
        const file = ENTRY_FILES.map((name) => path.join(folder, name)).find((candidate) => fs.existsSync(candidate));
        return file ? [{ folder, file }] : [];
      });
  });
}

/** The exported classes that declare a plugin type (through a base class or their own static). */
function pluginClassesOf(moduleExports: unknown): PluginClass[] {
  const candidates = typeof moduleExports === 'function' ? [moduleExports] : Object.values((moduleExports ?? {}) as Record<string, unknown>);
  const unique = new Set(candidates.filter((value) => typeof value === 'function' && 'pluginType' in value));
  return [...unique] as PluginClass[];
}

/**
 * A TypeScript drop-in under the compiled site (plain node) needs a loader: tsx's CommonJS
 * hook, registered only when such a file turns up, so a site without one never loads tsx.
 * Under tsx (tests, commands) the hook is already there; the check also keeps it to one.
 */
function ensureTypeScriptLoader(file: string): void {
  // require.extensions: CommonJS's own registry of file loaders (tsx adds '.ts').
  if (!file.endsWith('.ts') || require.extensions['.ts']) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily: most starts never need it
  (require('tsx/cjs/api') as typeof import('tsx/cjs/api')).register();
}

function loadFolder(folder: string, file: string, registry: PluginRegistry): void {
  let moduleExports: unknown;
  try {
    ensureTypeScriptLoader(file);
    // Loaded by path at run time: the folder is only known from configuration.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- require() is how a CommonJS app loads code by path
    moduleExports = require(file);
  } catch (error) {
    throw new PluginLoadError(folder, `${path.basename(file)} failed to load: ${(error as Error).message}`);
  }
  const classes = pluginClassesOf(moduleExports);
  if (classes.length === 0) throw new PluginLoadError(folder, `${path.basename(file)} exports no plugin class`);
  for (const PluginClass of classes) {
    try {
      registry.register(PluginClass, { source: folder, dir: folder });
    } catch (error) {
      throw new PluginLoadError(folder, (error as Error).message);
    }
  }
}

/**
 * Loads and registers every drop-in plugin. Throws on the first broken one, or, with
 * `continueOnFailure`, returns the failures so they can be shown.
 */
export function loadDropInPlugins(dirs: string[], registry: PluginRegistry, continueOnFailure: boolean): PluginLoadFailure[] {
  const failures: PluginLoadFailure[] = [];
  for (const { folder, file } of findDropInFolders(dirs)) {
    try {
      loadFolder(folder, file, registry);
    } catch (error) {
      if (!continueOnFailure) throw error;
      failures.push({ folder, error: (error as Error).message });
    }
  }
  return failures;
}
