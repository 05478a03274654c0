/**
 * The built-in plugins, in registration order (which is also start order). Drop-in plugins
 * from PLUGIN_DIRS are registered after these.
 */
import path from 'node:path';
import { ExampleBackendPlugin } from '../example_backend_app/plugin';
import { PluginAdminSiteApp } from '../projectroles/plugin-admin';
import { SiteAppSettingsSiteApp } from '../projectroles/site-settings-views';
import type { PluginClass } from '../projectroles/plugin-points';
import { ROOT_DIR } from './root-dir';
import { TimelineAdminSiteApp, TimelineBackendPlugin, TimelineProjectApp, TimelineSiteApp } from '../timeline/plugin';
import { UserProfileSiteApp } from '../userprofile/plugin';

export interface BuiltInPlugin {
  PluginClass: PluginClass;
  /** The app folder (its `static/` is served); views live in the top-level views/<app>/. */
  dir: string;
  core?: boolean;
}

export const builtInPlugins: BuiltInPlugin[] = [
  { PluginClass: PluginAdminSiteApp, dir: path.join(ROOT_DIR, 'projectroles'), core: true },
  { PluginClass: SiteAppSettingsSiteApp, dir: path.join(ROOT_DIR, 'projectroles'), core: true },
  { PluginClass: TimelineBackendPlugin, dir: path.join(ROOT_DIR, 'timeline') },
  { PluginClass: TimelineProjectApp, dir: path.join(ROOT_DIR, 'timeline') },
  { PluginClass: TimelineSiteApp, dir: path.join(ROOT_DIR, 'timeline') },
  { PluginClass: TimelineAdminSiteApp, dir: path.join(ROOT_DIR, 'timeline') },
  { PluginClass: ExampleBackendPlugin, dir: path.join(ROOT_DIR, 'example_backend_app') },
  { PluginClass: UserProfileSiteApp, dir: path.join(ROOT_DIR, 'userprofile') },
];
