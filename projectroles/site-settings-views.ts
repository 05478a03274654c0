/**
 * The site app settings page (reference apps §5.2): SITE settings of projectroles and the
 * active apps, superusers only, at /project/site-app-settings; and the user-menu entry that
 * leads there (a core site app, as the plugins page is).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { PermissionDeniedError } from '../app/errors';
import { SiteAppPluginPoint, type PluginRoute } from './plugin-points';
import type { RuleSet } from './rules';
import { settingPageHandlers, type SettingPageDeps } from './setting-pages';

export const SITE_SETTINGS_PATH = '/project/site-app-settings';

export function siteSettingsRoutes(deps: SettingPageDeps & { rules: RuleSet }): express.Router {
  const router = express.Router();
  const allowed = (req: Request, _res: Response, next: NextFunction) => {
    deps.rules.test('projectroles.update_site_settings', req.user ?? null).then((ok) => next(ok ? undefined : new PermissionDeniedError()), next);
  };
  const page = settingPageHandlers(deps, {
    scope: 'SITE',
    template: 'projectroles/site_app_settings',
    title: 'Site App Settings',
    modifiableOnly: true,
    doneMessage: 'Site app settings updated.',
    doneUrl: SITE_SETTINGS_PATH,
  });
  router.get('/site-app-settings', allowed, page.show);
  router.post('/site-app-settings', allowed, page.save);
  return router;
}

/** SODAR's `siteappsettings` entry of the user menu; the page itself is projectroles' (under /project/, which no plugin may take). */
export class SiteAppSettingsSiteApp extends SiteAppPluginPoint {
  readonly name = 'siteappsettings';
  readonly title = 'Site App Settings';
  readonly icon = 'cog';
  readonly description = 'Settings of the whole site (read-only mode among them)';
  readonly entryPoint = 'settings';
  readonly appPermission = 'projectroles.update_site_settings';
  override urls: PluginRoute[] = [{ name: 'settings', method: 'get', path: '/', kind: 'page', handler: (_req, res) => res.redirect(SITE_SETTINGS_PATH) }];
}
