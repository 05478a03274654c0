/** projectroles UI pages. */
import type { Request, Response } from 'express';
import { renderPage } from '../app/pages';
import { projectListColumns } from './app-links';
import type { AppSettings } from './app-settings';
import type { PluginRegistry } from './registry';
import { userSettingsOf } from './user-settings';

export function homePage(deps: { registry: PluginRegistry; settings: AppSettings }) {
  return async (req: Request, res: Response): Promise<void> => {
    // Shows the example backend app at work on a demo site (its showGreeting setting): null when absent, disabled or off.
    const exampleApi = deps.registry.getBackendApi('example_backend_app', { hello: 'world' });
    const columns = projectListColumns(deps.registry);
    // The same read as the layout's (one statement for the page).
    const homeStarred = (await userSettingsOf(deps.settings, req))['settings.projectroles.project_list_home_starred'] === true;
    renderPage(req, res, 'projectroles/home', { title: 'Home', account: req.user ?? null, homeStarred, columns, greeting: exampleApi?.homeGreeting() ?? null });
  };
}
