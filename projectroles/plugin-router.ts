/**
 * Mounts each plugin's routes under `/<urlPrefix>/` (pages) and `/<urlPrefix>/ajax/` (Ajax), and its
 * `static/` folder under `/static/plugins/<name>/`. Every route gets the same guards: the
 * plugin must be active (else 404), path parameters must be UUIDs or match the route's
 * patterns (else 404), the user must be logged in and pass the route's rule (else a
 * redirect for pages, JSON 403 for Ajax, 401 or 403 for REST paths under `/api/`). The
 * handler then finds its plugin's context in `req.plugin`.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { validate as isUuid } from 'uuid';
import { NotFoundError, PermissionDeniedError } from '../app/errors';
import { projectGuard, type GuardDeps } from './project-access';
import type { PluginRoute, ProjectAppPluginPoint } from './plugin-points';
import { urlPrefixOf } from './plugin-validation';
import type { PluginEntry, PluginRegistry } from './registry';
import type { RuleSet } from './rules';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/** URL prefix of a route kind. */
export function routePrefix(entry: PluginEntry, route: Pick<PluginRoute, 'kind'>): string {
  const prefix = urlPrefixOf(entry.plugin);
  return route.kind === 'ajax' ? `/${prefix}/ajax` : `/${prefix}`;
}

/** Full mounted path of a route, e.g. `/example_backend_app/ajax/hello`. */
export function mountedPath(entry: PluginEntry, route: PluginRoute): string {
  return `${routePrefix(entry, route)}${route.path === '/' ? '/' : route.path}`;
}

function whileActive(registry: PluginRegistry, entry: PluginEntry): Middleware {
  return (req, _res, next) => next(registry.isActive(entry) ? undefined : new NotFoundError(`Not found: ${req.method} ${req.path}`));
}

/** Path parameters are UUIDs unless the route gives another pattern (404 otherwise). */
function validParams(route: PluginRoute): Middleware {
  const patterns = route.params ?? {};
  return (req, _res, next) => {
    for (const [name, value] of Object.entries(req.params)) {
      if (typeof value !== 'string') continue;
      const pattern = patterns[name];
      if (pattern ? !pattern.test(value) : !isUuid(value)) {
        return next(new NotFoundError(`Not found: ${name} "${value}" is not a valid ${pattern ? name : 'UUID'}`));
      }
    }
    next();
  };
}

function permitted(rules: RuleSet, rule: string | null, anonymousToo: boolean): Middleware {
  return (req, _res, next) => {
    if (!req.user && !anonymousToo) return next(new PermissionDeniedError('Authentication required.'));
    if (rule === null) return next();
    rules.test(rule, req.user ?? null).then((allowed) => next(allowed ? undefined : new PermissionDeniedError()), next);
  };
}

/** Hands the route's handler its plugin's context as `req.plugin` (the one onStart received). */
function withContext(entry: PluginEntry, handler: PluginRoute['handler']) {
  return (req: Request, res: Response, next: NextFunction): unknown => {
    if (!entry.context) return next(new Error(`Plugin '${entry.plugin.name}' has routes mounted but was not started`));
    return handler(Object.assign(req, { plugin: entry.context }), res, next);
  };
}

function ruleOf(entry: PluginEntry, route: PluginRoute): string | null {
  if (route.permission !== undefined) return route.permission;
  return (entry.plugin as { appPermission?: string | null }).appPermission ?? null;
}

export function staticDir(entry: PluginEntry): string | null {
  if (!entry.origin.dir) return null;
  const dir = path.join(entry.origin.dir, 'static');
  return fs.existsSync(dir) ? dir : null;
}

/**
 * Project app routes with a `:project` parameter check their rule on that project (and
 * 404 an unknown one); in a category only when the app sets `categoryEnable`.
 */
function projectPermitted(deps: GuardDeps, entry: PluginEntry, rule: string | null): Middleware {
  const guard = projectGuard(deps, rule ?? 'projectroles.view_project');
  return (req, res, next) =>
    guard(req, res, (error?: unknown) => {
      if (error) return next(error);
      const categoryEnabled = (entry.plugin as ProjectAppPluginPoint).categoryEnable;
      next(req.project!.type === 'CATEGORY' && !categoryEnabled ? new NotFoundError(`${entry.plugin.title} is not available in categories`) : undefined);
    });
}

/** One router per URL prefix (a backend plugin and a project app may share one), with full paths. */
export function pluginRouters(registry: PluginRegistry, deps: GuardDeps): Map<string, express.Router> {
  const routers = new Map<string, express.Router>();
  for (const entry of registry.all()) {
    const prefix = urlPrefixOf(entry.plugin);
    const router = routers.get(prefix) ?? express.Router();
    routers.set(prefix, router);
    const active = whileActive(registry, entry);
    for (const route of entry.plugin.urls) {
      const rule = ruleOf(entry, route);
      const inProject = entry.type === 'project_app' && route.path.includes(':project');
      const check = inProject ? projectPermitted(deps, entry, rule) : permitted(deps.rules, rule, Boolean(route.anonymous) && deps.allowAnonymous);
      router[route.method](mountedPath(entry, route), active, validParams(route), check, withContext(entry, route.handler));
    }
  }
  return routers;
}

/** Each plugin's `static/` folder at `<mount point>/<name>/` while the plugin is active; mounted at /static/plugins. */
export function pluginStaticRouter(registry: PluginRegistry): express.Router {
  const router = express.Router();
  for (const entry of registry.all()) {
    const assets = staticDir(entry);
    if (!assets) continue;
    const options = { fallthrough: false, index: false, maxAge: '1h' };
    router.use(`/${entry.plugin.name}`, whileActive(registry, entry), express.static(assets, options));
  }
  return router;
}
