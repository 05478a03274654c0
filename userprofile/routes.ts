/** userprofile's URL map, mounted by the registry under /user/. */
import type { PluginContext } from '../projectroles/plugin-context';
import type { PluginRoute } from '../projectroles/plugin-points';
import { profilePage, settingsForm } from './views';

export function userprofileRoutes(context: () => PluginContext): PluginRoute[] {
  // Built when first called: the context exists only once the plugin started.
  const form = () => settingsForm(context());
  return [
    { name: 'detail', method: 'get', path: '/profile', kind: 'page', handler: (req, res) => profilePage(context())(req, res) },
    { name: 'settings_update', method: 'get', path: '/settings/update', kind: 'page', permission: 'userprofile.update_settings', handler: (req, res, next) => form().show(req, res, next) },
    { name: 'settings_update_post', method: 'post', path: '/settings/update', kind: 'page', permission: 'userprofile.update_settings', handler: (req, res, next) => form().save(req, res, next) },
  ];
}
