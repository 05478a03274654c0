/**
 * The checks PROJECT settings pass beyond their type and options, shared by the project form
 * and the settings API (reference apps §5.1, §5.4): the IP allow list must parse, public
 * statistics are for top-level categories only, and plugins may add their own
 * (`validateFormAppSettings`).
 */
import type { SettingDefinition, SettingValue } from './app-setting-definitions';
import type { Project, ProjectType } from './entities';
import { allowListProblem } from './ip-allow-list';
import type { PluginRegistry } from './registry';

/** Where the setting is to be stored: the project's type and whether it sits at the top level. */
export interface SettingPlace {
  type: ProjectType;
  topLevel: boolean;
}

export const placeOf = (project: Pick<Project, 'type' | 'parent_id'>): SettingPlace => ({ type: project.type, topLevel: project.parent_id === null });

/** The form's and the API's wording of the public statistics rule. */
export const PUBLIC_STATS_MESSAGE = { form: 'This field can only be set for top level categories', api: 'Setting category_public_stats is only allowed for top level categories' };

/** projectroles' own rules for one value; the problem, or null. */
export function coreSettingProblem(def: SettingDefinition, value: SettingValue, place: SettingPlace, wording: keyof typeof PUBLIC_STATS_MESSAGE): string | null {
  if (def.plugin !== 'projectroles') return null;
  if (def.name === 'ip_allow_list' && typeof value === 'string') return allowListProblem(value);
  if (def.name === 'category_public_stats' && value === true && !(place.type === 'CATEGORY' && place.topLevel)) return PUBLIC_STATS_MESSAGE[wording];
  return null;
}

/** A plugin's validateFormAppSettings threw: the whole form is refused with this message. */
export class PluginValidationError extends Error {}

/**
 * Runs every active backend and project app plugin's `validateFormAppSettings` on its own
 * values (keyed by setting name); returns errors keyed `settings.<plugin>.<name>`.
 */
export async function pluginSettingProblems(registry: PluginRegistry, values: ReadonlyMap<SettingDefinition, SettingValue>, project: Project | null): Promise<Record<string, string>> {
  const errors: Record<string, string> = {};
  for (const plugin of [...registry.getActivePlugins('backend'), ...registry.getActivePlugins('project_app')]) {
    if (!plugin.validateFormAppSettings) continue;
    const own = Object.fromEntries([...values].filter(([def]) => def.plugin === plugin.name).map(([def, value]) => [def.name, value]));
    let problems: Record<string, string>;
    try {
      problems = (await plugin.validateFormAppSettings(own, { project })) ?? {};
    } catch (error) {
      throw new PluginValidationError(`Exception in custom app setting validation for plugin "${plugin.name}": ${(error as Error).message}`);
    }
    for (const [name, problem] of Object.entries(problems)) errors[`settings.${plugin.name}.${name}`] = problem;
  }
  return errors;
}
