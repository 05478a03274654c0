/** projectroles UI pages. */
import type { NextFunction, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { renderPage } from '../app/pages';
import type { PluginRegistry } from './registry';
import { countUsers } from './users';

export function homePage(dataSource: DataSource, registry: PluginRegistry) {
  return (req: Request, res: Response, next: NextFunction): void => {
    // Shows the example backend app at work: null when it is absent or disabled.
    const exampleApi = registry.getBackendApi('example_backend_app', { hello: 'world' });
    countUsers(dataSource).then(
      (userCount) => renderPage(req, res, 'projectroles/home', { title: 'Home', account: req.user, userCount, greeting: exampleApi?.hello() ?? null }),
      next,
    );
  };
}
