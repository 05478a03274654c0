/** projectroles URL map: UI pages and the REST API. */
import express from 'express';
import type { DataSource } from 'typeorm';
import type { PluginRegistry } from './registry';
import { projectrolesApiRoutes } from './api-views';
import { requireLogin } from './auth';
import { homePage } from './views';

export function projectrolesRoutes(deps: { dataSource: DataSource; registry: PluginRegistry }): express.Router {
  const router = express.Router();
  router.get('/', requireLogin, homePage(deps.dataSource, deps.registry));
  router.use(projectrolesApiRoutes(deps.dataSource));
  return router;
}
