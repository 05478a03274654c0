/**
 * Changing settings on a user's behalf: the one service the project form, the user and site
 * settings pages, the per-project "my settings" form and the settings API call, so the rules
 * (not user modifiable), the plugin hooks and the timeline events are written once. Runs in
 * the caller's transaction: a refused or failing change leaves nothing written.
 */
import type { EntityManager } from 'typeorm';
import { PermissionDeniedError } from '../app/errors';
import { settingKey, type SettingDefinition, type SettingValue } from './app-setting-definitions';
import type { AppSettings, SettingArgs } from './app-settings';
import type { Project, User } from './entities';
import { runModifyHooks } from './modify-hooks';
import type { PluginRegistry } from './registry';
import { settingChanged } from './timeline-events';

export interface SettingUpdateDeps {
  registry: PluginRegistry;
  settings: AppSettings;
}

export interface AppliedChange {
  key: string;
  def: SettingDefinition;
  value: SettingValue;
  previous: SettingValue;
}

export const NOT_USER_MODIFIABLE = 'Updating non-user modifiable settings is not allowed';

/**
 * Stores `values` for the project and/or user of `args`, in `manager`'s transaction. Settings
 * that are not user modifiable are refused to non-superusers (403). For PROJECT and
 * PROJECT_USER settings that changed, the plugins' performProjectSettingUpdate hooks run and
 * an app_setting_set event is recorded. Returns what changed.
 */
export async function applySettingChanges(
  deps: SettingUpdateDeps,
  manager: EntityManager,
  actor: User,
  args: SettingArgs & { project?: Project | null; user?: User | null },
  values: ReadonlyMap<SettingDefinition, SettingValue>,
): Promise<AppliedChange[]> {
  const applied: AppliedChange[] = [];
  for (const [def, value] of values) {
    if (!def.userModifiable && !actor.is_superuser) throw new PermissionDeniedError(NOT_USER_MODIFIABLE, true);
    const { changed, previous } = await deps.settings.set(def.plugin, def.name, value, args, manager);
    if (!changed) continue;
    applied.push({ key: settingKey(def), def, value, previous });
    const project = args.project;
    if (!project) continue;
    const user = args.user ?? null;
    await runModifyHooks(deps.registry, 'ProjectSettingUpdate', {
      action: 'UPDATE',
      manager,
      pluginName: def.plugin,
      settingName: def.name,
      value,
      previousValue: previous,
      project,
      user,
    });
    await settingChanged(deps.registry, manager, actor, { plugin: def.plugin, name: def.name, secret: def.secret, value, project, user });
  }
  return applied;
}
