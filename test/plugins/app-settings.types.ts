/**
 * Compile-time test, checked by `npm run typecheck`: `settings.get` returns the declared
 * value type of a known setting (AppSettingTypes). If that typing degrades to any setting
 * value, an @ts-expect-error below becomes unused and tsc fails.
 */
import type { AppSettings } from '../../projectroles/app-settings';

export async function typedSettingsUse(settings: AppSettings): Promise<number> {
  const readOnly = await settings.get('projectroles', 'site_read_only');
  const flag: boolean = readOnly;
  const perPage = await settings.get('projectroles', 'project_list_pagination', { user: { id: 1, sodar_uuid: '' } });

  // @ts-expect-error: site_read_only is a boolean, not a string.
  const asText: string = readOnly;

  // @ts-expect-error: project_list_pagination is a number.
  perPage.toUpperCase();

  // An unknown plugin's setting is some setting value: it must be narrowed before use.
  const unknown = await settings.get('some_drop_in', 'anything');
  // @ts-expect-error: could be a boolean, number, string or JSON.
  unknown.toFixed();

  return flag && asText ? perPage : 0;
}
