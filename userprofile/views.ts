/** userprofile pages: the profile (details and current settings) and the settings form. */
import type { Request, Response } from 'express';
import type { PluginContext } from '../projectroles/plugin-context';
import { settingFields } from '../projectroles/setting-forms';
import { pageDefinitions, settingPageHandlers } from '../projectroles/setting-pages';
import { userSettingsOf } from '../projectroles/user-settings';

/** `YYYY-MM-DD HH:MM` in UTC (SODAR shows the server's time zone; ours is UTC). */
function dateTime(date: Date): string {
  return date.toISOString().slice(0, 16).replace('T', ' ');
}

export function profilePage(context: PluginContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const user = req.user;
    if (!user) throw new context.errors.PermissionDeniedError();
    // One statement for every setting, shared with the layout's user menu.
    const values = await userSettingsOf(context.settings, req);
    const fields = settingFields(pageDefinitions(context, 'USER'), values, { superuser: user.is_superuser, target: { project: null, user } });
    const canUpdate = await context.rules.test('userprofile.update_settings', user);
    context.renderPage(req, res, 'userprofile/detail', {
      title: 'User Profile',
      account: user,
      dateJoined: dateTime(new Date(user.date_joined)),
      authentication: 'LOCAL',
      fields,
      canUpdate,
    });
  };
}

export function settingsForm(context: PluginContext) {
  return settingPageHandlers(context, {
    scope: 'USER',
    template: 'userprofile/settings_form',
    title: 'Update User Settings',
    modifiableOnly: false,
    doneMessage: 'User settings updated.',
    doneUrl: '/user/profile',
  });
}
