/** projectroles URL map: UI pages and the REST API. */
import express from 'express';
import { projectrolesAjaxRoutes } from './ajax-views';
import { memberRoutes } from './member-views';
import { projectFormRoutes } from './project-form-views';
import { projectPageRoutes } from './project-views';
import type { PluginRegistry } from './registry';
import type { AppSettings } from './app-settings';
import type { GuardDeps } from './project-access';
import { projectrolesApiRoutes } from './api-views';
import { requireLogin } from './auth';
import { settingApiRoutes } from './setting-api-views';
import { projectUserSettingsRoutes } from './project-user-settings-views';
import { siteSettingsRoutes } from './site-settings-views';
import { homePage } from './views';

export interface ProjectrolesDeps extends GuardDeps {
  registry: PluginRegistry;
  settings: AppSettings;
  delegateLimit: number;
}

export function projectrolesRoutes(deps: ProjectrolesDeps): express.Router {
  const router = express.Router();
  router.get('/', deps.allowAnonymous ? [] : requireLogin, homePage(deps));
  // Everything else lives under /project/ (SODAR's URL map); other paths skip it at once.
  const project = express.Router();
  project.use(projectrolesAjaxRoutes(deps));
  project.use(projectrolesApiRoutes(deps.dataSource));
  project.use(settingApiRoutes(deps));
  // Fixed paths (/project/create, ...) before /project/:project.
  project.use(siteSettingsRoutes(deps));
  project.use(projectFormRoutes(deps));
  project.use(memberRoutes(deps));
  project.use(projectUserSettingsRoutes(deps));
  project.use(projectPageRoutes(deps));
  router.use('/project', project);
  return router;
}
