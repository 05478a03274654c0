/**
 * The PROJECT settings of the project create/update form (reference apps §5.4): which
 * definitions it shows, their fields, and the posted values read back and checked before
 * anything is written. Saving is applySettingChanges, in the project's own transaction.
 */
import { BadInputError } from '../app/errors';
import { settingKey, type SettingDefinition, type SettingTarget, type SettingValue } from './app-setting-definitions';
import type { AppSettings } from './app-settings';
import type { Project, ProjectType, User } from './entities';
import { coreSettingProblem, pluginSettingProblems, PluginValidationError, type SettingPlace } from './project-setting-checks';
import type { PluginRegistry } from './registry';
import { readSettingForm, settingFields, type SettingField } from './setting-forms';

export interface FormSettingsDeps {
  registry: PluginRegistry;
  settings: AppSettings;
}

/** What the form is for: the project (update), the type (null while the create form lets the user choose) and whether it is created below a category. */
export interface FormSettingsScope {
  project: Project | null;
  type: ProjectType | null;
  inParent: boolean;
}

/** Posted settings that did not pass: field messages, and the values to show again. */
export class SettingFieldErrors extends BadInputError {
  constructor(
    readonly fields: Record<string, string>,
    readonly posted: Record<string, SettingValue>,
  ) {
    super('Please correct the app settings marked below.');
  }
}

/**
 * PROJECT settings of projectroles and of the active backend and project app plugins (SODAR
 * shows project apps only; backend apps configure projects too, example_backend_app's flag
 * among them), for the project type. Public statistics are never offered below a parent.
 */
export function formDefinitions(deps: FormSettingsDeps, scope: FormSettingsScope): SettingDefinition[] {
  const plugins = new Set([...deps.registry.getActivePlugins('backend'), ...deps.registry.getActivePlugins('project_app')].map((plugin) => plugin.name));
  return deps.settings.definitions
    .list({ scope: 'PROJECT', plugins })
    .filter((def) => scope.type === null || def.projectTypes.includes(scope.type))
    .filter((def) => !(scope.inParent && def.plugin === 'projectroles' && def.name === 'category_public_stats'));
}

const targetOf = (scope: FormSettingsScope): SettingTarget => ({ project: scope.project, user: null });

/** Current values: the project's, read in one statement whatever the number of settings; defaults when creating. */
export async function currentValues(deps: FormSettingsDeps, project: Project | null): Promise<Record<string, SettingValue>> {
  return project ? deps.settings.getAll('PROJECT', { project }) : deps.settings.getDefaults('PROJECT');
}

export function formFields(defs: SettingDefinition[], values: Record<string, SettingValue>, user: User, scope: FormSettingsScope): SettingField[] {
  return settingFields(defs, values, { superuser: user.is_superuser, target: targetOf(scope) });
}

/**
 * The posted values of `defs` with every check passed (type, options, projectroles' own
 * rules, the plugins' validateFormAppSettings); throws SettingFieldErrors naming the
 * fields, or BadInputError when a plugin's check failed.
 */
export async function readFormSettings(
  deps: FormSettingsDeps,
  defs: SettingDefinition[],
  body: Record<string, unknown>,
  user: User,
  scope: FormSettingsScope,
  place: SettingPlace,
): Promise<Map<SettingDefinition, SettingValue>> {
  const { values, errors } = readSettingForm(defs, body, { superuser: user.is_superuser, target: targetOf(scope) });
  for (const [def, value] of values) {
    const problem = coreSettingProblem(def, value, place, 'form');
    if (problem) errors[settingKey(def)] = problem;
  }
  try {
    // A field's own problem (type, options, core rule) is the one shown.
    Object.assign(errors, { ...(await pluginSettingProblems(deps.registry, values, scope.project)), ...errors });
  } catch (error) {
    if (error instanceof PluginValidationError) throw new BadInputError(error.message);
    throw error;
  }
  if (Object.keys(errors).length > 0) throw new SettingFieldErrors(errors, Object.fromEntries([...values].map(([def, value]) => [settingKey(def), value])));
  return values;
}
