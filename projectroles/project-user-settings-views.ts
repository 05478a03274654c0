/**
 * A user's own settings in one project (PROJECT_USER settings marked user modifiable), beyond
 * SODAR, which offers them only through the API (its #362): GET/POST
 * /project/:project/settings/user for anyone who can see the project; saving is refused in
 * site read-only mode, as SODAR refuses PROJECT_USER writes over REST.
 */
import express from 'express';
import { guardedProject, projectGuard, type GuardDeps } from './project-access';
import { pageDefinitions, settingPageHandlers, type SettingPageDeps } from './setting-pages';

/** The settings the page offers for `project`, e.g. to decide whether to link it. */
export function projectUserSettingDefinitions(deps: Pick<SettingPageDeps, 'registry' | 'settings'>, project: { type: 'CATEGORY' | 'PROJECT' }) {
  return pageDefinitions(deps, 'PROJECT_USER', true, project);
}

export function projectUserSettingsRoutes(deps: GuardDeps & SettingPageDeps): express.Router {
  const router = express.Router();
  const page = settingPageHandlers(deps, {
    scope: 'PROJECT_USER',
    template: 'projectroles/project_user_settings',
    title: (req) => `My Settings in ${guardedProject(req).title}`,
    modifiableOnly: true,
    doneMessage: 'Your project settings were updated.',
    doneUrl: (req) => `/project/${guardedProject(req).sodar_uuid}`,
  });
  router.get('/:project/settings/user', projectGuard(deps, 'projectroles.view_project_user_settings'), page.show);
  router.post('/:project/settings/user', projectGuard(deps, 'projectroles.update_project_user_settings'), page.save);
  return router;
}
