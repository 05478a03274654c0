/**
 * Plugin project-modify hooks (SODAR's ProjectModifyPluginMixin, reference §2.5): each
 * active backend and project app plugin that defines `perform<Action>` runs it in
 * registration order, inside the transaction of the change; if one throws, those already
 * run get `revert<Action>` in reverse order and the error goes on, rolling the change back.
 */
import type { EntityManager } from 'typeorm';
import { HttpError } from '../app/errors';
import type { PluginPoint } from './plugin-points';
import type { PluginRegistry } from './registry';

export type ModifyAction = 'ProjectModify' | 'RoleModify' | 'RoleDelete' | 'OwnerTransfer' | 'ProjectArchive' | 'ProjectDelete' | 'ProjectSettingUpdate';

/** What a hook receives: the action's details and the transaction to write in. */
export interface ModifyChange {
  action: string;
  manager: EntityManager;
  [detail: string]: unknown;
}

type Hook = (change: ModifyChange) => Promise<void>;

export async function runModifyHooks(registry: PluginRegistry, action: ModifyAction, change: ModifyChange): Promise<void> {
  const plugins = [...registry.getActivePlugins('backend'), ...registry.getActivePlugins('project_app', { customOrder: true })];
  const done: PluginPoint[] = [];
  for (const plugin of plugins) {
    const perform = (plugin as unknown as Record<string, Hook | undefined>)[`perform${action}`];
    if (!perform) continue;
    try {
      await perform.call(plugin, change);
    } catch (error) {
      for (const earlier of done.reverse()) {
        const revert = (earlier as unknown as Record<string, Hook | undefined>)[`revert${action}`];
        await revert?.call(earlier, change);
      }
      throw new HttpError(500, `Plugin '${plugin.name}' failed in perform${action}: ${(error as Error).message}. Nothing was changed.`);
    }
    done.push(plugin);
  }
}
