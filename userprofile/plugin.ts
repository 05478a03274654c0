/**
 * The user profile app (reference apps §7.1-7.2): the user's details and USER settings at
 * /user/profile, the settings form at /user/settings/update. A site app named `userprofile`
 * mounted at `/user/` (SODAR's URLs), registered as any third-party app would be.
 */
import type { PluginContext } from '../projectroles/plugin-context';
import { SiteAppPluginPoint, type AppSettingDef, type PluginRoute } from '../projectroles/plugin-points';
import { siteWritable } from '../projectroles/project-rules';
import { allOf, isAuthenticated } from '../projectroles/rules';
import { userprofileRoutes } from './routes';

export class UserProfileSiteApp extends SiteAppPluginPoint {
  readonly name = 'userprofile';
  override urlPrefix = 'user';
  readonly title = 'User Profile';
  readonly icon = 'user';
  readonly description = 'User profile and settings';
  readonly entryPoint = 'detail';
  readonly appPermission = 'userprofile.view_detail';
  override rules = {
    'userprofile.view_detail': isAuthenticated,
    // Superusers pass every rule, read-only mode or not.
    'userprofile.update_settings': allOf(isAuthenticated, siteWritable),
  };
  override appSettings: AppSettingDef[] = [
    { name: 'enable_project_uuid_copy', scope: 'USER', type: 'BOOLEAN', default: false, label: 'Display project UUID copying link' },
  ];
  private context: PluginContext | null = null;
  override urls: PluginRoute[] = userprofileRoutes(() => {
    if (!this.context) throw new Error('the userprofile plugin has not been started');
    return this.context;
  });

  override onStart(context: PluginContext): void {
    this.context = context;
  }
}
