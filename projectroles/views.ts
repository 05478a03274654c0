/** projectroles UI pages. */
import type { Request, Response } from 'express';
import { renderPage } from '../app/pages';
import { projectListColumns } from './app-links';
import type { PluginRegistry } from './registry';

export function homePage(registry: PluginRegistry) {
  return (req: Request, res: Response): void => {
    // Shows the example backend app at work on a demo site (its showGreeting setting): null when absent, disabled or off.
    const exampleApi = registry.getBackendApi('example_backend_app', { hello: 'world' });
    const columns = projectListColumns(registry);
    renderPage(req, res, 'projectroles/home', { title: 'Home', account: req.user ?? null, homeStarred: req.session.homeStarred === true, columns, greeting: exampleApi?.homeGreeting() ?? null });
  };
}
