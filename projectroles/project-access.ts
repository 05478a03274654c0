/**
 * The guard of every project route: resolves the `:project` UUID (404 when malformed or
 * unknown), loads the user's access in a constant number of queries, and checks the
 * route's rule. Denied: pages redirect (login when anonymous, else home), Ajax gets 403.
 */
import type { NextFunction, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { validate as isUuid } from 'uuid';
import { NotFoundError, PermissionDeniedError } from '../app/errors';
import { loadProjectAccess, type ProjectAccess } from './project-rules';
import { projectsByUuid, type ProjectRow } from './projects';
import type { RuleSet } from './rules';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by projectGuard: the project of the route and what the user may do there. */
    project?: ProjectRow;
    projectAccess?: ProjectAccess;
  }
}

export interface GuardDeps {
  dataSource: DataSource;
  rules: RuleSet;
  allowAnonymous: boolean;
}

/** Loads the project named by `req.params[param]` and the user's access to it. */
export async function resolveProject(deps: GuardDeps, req: Request, param = 'project'): Promise<{ project: ProjectRow; access: ProjectAccess }> {
  const uuid = String(req.params[param]);
  if (!isUuid(uuid)) throw new NotFoundError(`Not found: ${param} "${uuid}" is not a valid UUID`);
  const [project] = await projectsByUuid(deps.dataSource, [uuid]);
  if (!project) throw new NotFoundError(`No project or category with sodar_uuid ${uuid}`);
  const access = (await loadProjectAccess(deps.dataSource, req.user ?? null, [project])).get(project.id)!;
  return { project, access };
}

/** Middleware: the project exists and the user passes `permission` on it. */
export function projectGuard(deps: GuardDeps, permission: string, param = 'project') {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.user && !deps.allowAnonymous) return next(new PermissionDeniedError('Please log in to see this page.'));
    resolveProject(deps, req, param)
      .then(async ({ project, access }) => {
        req.project = project;
        req.projectAccess = access;
        const allowed = await deps.rules.test(permission, req.user ?? null, access);
        next(allowed ? undefined : new PermissionDeniedError());
      })
      .catch(next);
  };
}
