/**
 * Pages that edit one scope's settings as a whole form: the user's settings (userprofile) and
 * the site app settings (projectroles). Which definitions they show, and the GET and POST
 * handlers: fields from settingFields, posted values through readSettingForm, stored by
 * applySettingChanges in one transaction (an invalid field writes nothing and answers 400).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import { flash, renderPage } from '../app/pages';
import { settingKey, type SettingDefinition, type SettingValue } from './app-setting-definitions';
import type { AppSettings } from './app-settings';
import type { User } from './entities';
import type { PluginRegistry } from './registry';
import { readSettingForm, settingFields } from './setting-forms';
import { applySettingChanges } from './setting-updates';
import { userSettingsOf } from './user-settings';

export interface SettingPageDeps {
  dataSource: DataSource;
  registry: PluginRegistry;
  settings: AppSettings;
}

export interface SettingPage {
  scope: 'USER' | 'SITE';
  template: string;
  title: string;
  /** The site page shows user-modifiable settings only, to superusers too (SODAR's SiteAppSettingsForm). */
  modifiableOnly: boolean;
  /** Flashed after a valid POST, which then redirects to `doneUrl`. */
  doneMessage: string;
  doneUrl: string;
}

/** Settings of `scope` from projectroles and the active project and site apps (SODAR leaves backend plugins out). */
export function pageDefinitions(deps: Pick<SettingPageDeps, 'registry' | 'settings'>, scope: SettingPage['scope'], modifiableOnly = false): SettingDefinition[] {
  const apps = [...deps.registry.getActivePlugins('project_app'), ...deps.registry.getActivePlugins('site_app')];
  return deps.settings.definitions.list({ scope, plugins: new Set(apps.map((app) => app.name)), userModifiable: modifiableOnly });
}

/** The current values of the page's scope, in one statement (USER) or none (SITE: the cached values). */
function currentValues(deps: SettingPageDeps, page: SettingPage, req: Request): Promise<Record<string, SettingValue>> {
  return page.scope === 'USER' ? userSettingsOf(deps.settings, req) : deps.settings.getAll('SITE');
}

function signedIn(req: Request): User {
  // The routes' rules let only signed-in users through.
  if (!req.user) throw new Error('settings page reached without a user');
  return req.user;
}

export function settingPageHandlers(deps: SettingPageDeps, page: SettingPage): { show: RequestHandler; save: RequestHandler } {
  const formOptions = (user: User) => ({ superuser: user.is_superuser, target: { project: null, user: page.scope === 'USER' ? user : null } });

  function render(req: Request, res: Response, values: Record<string, SettingValue>, errors: Record<string, string>, status = 200): void {
    const fields = settingFields(pageDefinitions(deps, page.scope, page.modifiableOnly), values, formOptions(signedIn(req)));
    renderPage(req, res, page.template, { title: page.title, fields, errors }, status);
  }

  const show: RequestHandler = async (req, res) => render(req, res, await currentValues(deps, page, req), {});

  const save: RequestHandler = async (req, res) => {
    const user = signedIn(req);
    const read = readSettingForm(pageDefinitions(deps, page.scope, page.modifiableOnly), req.body as Record<string, unknown>, formOptions(user));
    if (Object.keys(read.errors).length > 0) {
      const values = { ...(await currentValues(deps, page, req)) };
      for (const [def, value] of read.values) if (!def.secret) values[settingKey(def)] = value;
      return render(req, res, values, read.errors, 400);
    }
    const args = page.scope === 'USER' ? { user } : {};
    await deps.dataSource.transaction((manager) => applySettingChanges(deps, manager, user, args, read.values));
    flash(req, 'success', page.doneMessage);
    res.redirect(page.doneUrl);
  };
  return { show, save };
}
