/**
 * The signed-in user's USER settings, read once per request and shared by everything on the
 * page that needs them: the layout's user menu, the home page's switch, the project list's
 * page size, the profile (SODAR reads them one template tag at a time). Kept per user as the
 * session user is (AppSettings.userValues), so a warm request reads them without a statement.
 */
import type { Request } from 'express';
import type { SettingValue } from './app-setting-definitions';
import type { AppSettings } from './app-settings';

/** `{ 'settings.<plugin>.<name>': value }` for the user; the defaults for an anonymous visitor (no statement). */
export function userSettingsOf(settings: AppSettings, req: Request): Promise<Readonly<Record<string, SettingValue>>> {
  req.userSettings ??= req.user ? settings.userValues(req.user) : Promise.resolve(settings.getDefaults('USER'));
  return req.userSettings;
}

/** Rows per page of the project list: the user's project_list_pagination, -1 (no pagination) being the server's largest page. */
export function projectListPageSize(values: Readonly<Record<string, SettingValue>>, largest: number): number {
  const chosen = values['settings.projectroles.project_list_pagination'];
  return typeof chosen === 'number' && chosen > 0 ? Math.min(chosen, largest) : largest;
}

/** What the layout shows on every page: the read-only banner (from the cached SITE values) and the user menu's name. */
export async function layoutSettings(settings: AppSettings, req: Request): Promise<{ siteReadOnly: boolean; userMenuName: string | null }> {
  const siteReadOnly = settings.siteValues.readOnly();
  if (!req.user) return { siteReadOnly, userMenuName: null };
  const fullName = (await userSettingsOf(settings, req))['settings.projectroles.user_dropdown_name_display'] === true;
  return { siteReadOnly, userMenuName: fullName && req.user.name ? req.user.name : req.user.username };
}
