/**
 * The settings_app drop-in fixture (test/fixtures/plugins/settings_app), as the tests read it:
 * what its performProjectSettingUpdate hook recorded, and the switch that breaks its validator.
 * Checked at run time, since a drop-in's class is plain JavaScript with no type to import.
 */
import type { PluginRegistry } from '../../projectroles/registry';

export interface SettingsAppRecorder {
  calls: string[];
  brokenValidator: boolean;
}

function isRecorder(plugin: unknown): plugin is SettingsAppRecorder {
  return typeof plugin === 'object' && plugin !== null && 'calls' in plugin && Array.isArray(plugin.calls) && 'brokenValidator' in plugin && typeof plugin.brokenValidator === 'boolean';
}

export function settingsAppRecorder(registry: PluginRegistry): SettingsAppRecorder {
  const plugin: unknown = registry.getAppPlugin('settings_app', 'backend');
  if (!isRecorder(plugin)) throw new Error('test setup: the settings_app fixture plugin is not registered (PLUGIN_DIRS)');
  return plugin;
}
