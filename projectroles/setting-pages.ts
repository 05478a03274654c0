/**
 * Pages that edit one scope's settings as a whole form: the user's settings (userprofile),
 * the site app settings and a user's own settings in one project (projectroles). Which definitions they show, and the GET and POST
 * handlers: fields from settingFields, posted values through readSettingForm, stored by
 * applySettingChanges in one transaction (an invalid field writes nothing and answers 400).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import { flash, renderPage } from '../app/pages';
import { settingKey, type SettingDefinition, type SettingValue } from './app-setting-definitions';
import type { AppSettings } from './app-settings';
import type { Project } from './entities';
import type { PluginRegistry } from './registry';
import { signedInUser } from './auth';
import { guardedProject } from './project-access';
import { readSettingForm, settingFields } from './setting-forms';
import { applySettingChanges } from './setting-updates';
import { userSettingsOf } from './user-settings';

export interface SettingPageDeps {
  dataSource: DataSource;
  registry: PluginRegistry;
  settings: AppSettings;
}

export interface SettingPage {
  scope: 'USER' | 'SITE' | 'PROJECT_USER';
  template: string;
  /** The page title; PROJECT_USER pages are given the project (req.project, set by the project guard). */
  title: string | ((req: Request) => string);
  /** The site page shows user-modifiable settings only, to superusers too (SODAR's SiteAppSettingsForm). */
  modifiableOnly: boolean;
  /** Flashed after a valid POST, which then redirects to `doneUrl`. */
  doneMessage: string;
  doneUrl: string | ((req: Request) => string);
}

/**
 * Settings of `scope` from projectroles and the active project and site apps (SODAR leaves
 * backend plugins out); a project's own user settings come from backend apps too (an app
 * without pages has nowhere else to offer them), for the project's type only.
 */
export function pageDefinitions(
  deps: Pick<SettingPageDeps, 'registry' | 'settings'>,
  scope: SettingPage['scope'],
  modifiableOnly = false,
  project: Pick<Project, 'type'> | null = null,
): SettingDefinition[] {
  const types = scope === 'PROJECT_USER' ? (['project_app', 'site_app', 'backend'] as const) : (['project_app', 'site_app'] as const);
  const apps = types.flatMap((type) => deps.registry.getActivePlugins(type));
  const defs = deps.settings.definitions.list({ scope, plugins: new Set(apps.map((app) => app.name)), userModifiable: modifiableOnly });
  return project ? defs.filter((def) => def.projectTypes.includes(project.type)) : defs;
}

/** The project of a PROJECT_USER page (the project guard set it), else null. */
function pageProject(page: SettingPage, req: Request): Project | null {
  return page.scope === 'PROJECT_USER' ? guardedProject(req) : null;
}

/** The current values of the page's scope, in one statement (USER, PROJECT_USER) or none (SITE: the cached values). */
async function currentValues(deps: SettingPageDeps, page: SettingPage, req: Request): Promise<Readonly<Record<string, SettingValue>>> {
  if (page.scope === 'USER') return userSettingsOf(deps.settings, req);
  if (page.scope === 'SITE') return deps.settings.getAll('SITE');
  return deps.settings.getAll('PROJECT_USER', { project: pageProject(page, req), user: signedInUser(req) });
}

const resolved = (value: string | ((req: Request) => string), req: Request) => (typeof value === 'function' ? value(req) : value);


export function settingPageHandlers(deps: SettingPageDeps, page: SettingPage): { show: RequestHandler; save: RequestHandler } {
  const formOptions = (req: Request) => {
    const user = signedInUser(req);
    return { superuser: user.is_superuser, target: { project: pageProject(page, req), user: page.scope === 'SITE' ? null : user } };
  };
  const definitions = (req: Request) => pageDefinitions(deps, page.scope, page.modifiableOnly, pageProject(page, req));

  function render(req: Request, res: Response, values: Readonly<Record<string, SettingValue>>, errors: Record<string, string>, status = 200): void {
    const fields = settingFields(definitions(req), values, formOptions(req));
    renderPage(req, res, page.template, { title: resolved(page.title, req), project: pageProject(page, req), fields, errors }, status);
  }

  const show: RequestHandler = async (req, res) => render(req, res, await currentValues(deps, page, req), {});

  const save: RequestHandler = async (req, res) => {
    const user = signedInUser(req);
    const read = readSettingForm(definitions(req), req.body as Record<string, unknown>, formOptions(req));
    if (Object.keys(read.errors).length > 0) {
      const values = { ...(await currentValues(deps, page, req)) };
      for (const [def, value] of read.values) if (!def.secret) values[settingKey(def)] = value;
      return render(req, res, values, read.errors, 400);
    }
    const args = page.scope === 'SITE' ? {} : { user, project: pageProject(page, req) };
    await deps.dataSource.transaction((manager) => applySettingChanges(deps, manager, user, args, read.values));
    flash(req, 'success', page.doneMessage);
    res.redirect(resolved(page.doneUrl, req));
  };
  return { show, save };
}
