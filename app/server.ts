/**
 * Builds the Express application from its parts; listening is main.ts's job, so tests
 * use the same app in-process with supertest.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { siteAppLinks } from '../projectroles/app-links';
import type { AppSettings } from '../projectroles/app-settings';
import { authRoutes, createPassport, loginFormErrors, sessionUser } from '../projectroles/auth';
import { backendIncludeHelper } from '../projectroles/backend-include';
import { layoutSettings } from '../projectroles/user-settings';
import { pluginRouters, pluginStaticRouter } from '../projectroles/plugin-router';
import type { PluginStateWatcher } from '../projectroles/plugin-states';
import type { PluginRegistry } from '../projectroles/registry';
import type { RuleSet } from '../projectroles/rules';
import { LoginThrottle } from '../projectroles/login-throttle';
import { projectrolesRoutes } from '../projectroles/routes';
import { SessionStore } from '../projectroles/session-store';
import { sessionMiddleware } from '../projectroles/sessions';
import { assetRoutes } from './assets';
import type { Config } from './config';
import { csrfProtection } from './csrf';
import type { Database } from './database';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRoutes, type Readiness } from './health';
import { refuseUnstorableInput } from './input-limits';
import { installRequestLog, requestLogger } from './logger';
import { ROOT_DIR } from './root-dir';
import { routesOf, type RouteInfo } from './route-list';
import { SegmentRouter } from './segment-router';

export interface AppContext {
  config: Config;
  db: Database;
  logger: Logger;
  registry: PluginRegistry;
  rules: RuleSet;
  settings: AppSettings;
  /** Keeps plugin enabled states fresh across processes. */
  plugins: PluginStateWatcher;
  /** Set when the process begins to stop: /readyz then answers 503. */
  readiness: Readiness;
}

export interface BuiltApp {
  app: express.Express;
  /** Housekeeping to run now and then: drops expired sessions and old login failures. */
  maintenance(): Promise<void>;
  /** Every route served, from the routers themselves (for the fuzz test and tools). */
  routes(): RouteInfo[];
}

/**
 * helmet's headers, worked out once: with this configuration they never depend on the
 * request, so each request only copies a fixed list instead of running helmet's dozen steps.
 */
function securityHeaders(config: Config) {
  // Run helmet once on a response that goes nowhere and keep what it set.
  const probe = new http.ServerResponse(new http.IncomingMessage(new net.Socket()));
  helmet({
    contentSecurityPolicy: {
      // Only the app's own origin; upgrading to https would break plain-http local use.
      directives: { 'upgrade-insecure-requests': config.trustProxy ? [] : null },
    },
    strictTransportSecurity: config.trustProxy,
  })(probe.req, probe, () => undefined);
  const headers = Object.entries(probe.getHeaders()).flatMap(([name, value]) => (value === undefined ? [] : [[name, value] as const]));
  return (_req: express.Request, res: express.Response, next: express.NextFunction): void => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/**
 * JSON and form bodies, parsed only for methods that carry one. A body of another type (or
 * none) leaves `req.body` an empty object, never undefined: handlers read fields, not types.
 */
function bodyParsers(limit: number) {
  const json = express.json({ limit });
  const form = express.urlencoded({ extended: false, limit });
  return (req: express.Request, res: express.Response, next: express.NextFunction): void => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const done = (error?: unknown) => {
      req.body ??= {};
      next(error);
    };
    json(req, res, (error?: unknown) => (error ? next(error) : form(req, res, done)));
  };
}

/** Files and probes, served before any session or body work. */
function sessionlessRoutes(ctx: AppContext): SegmentRouter {
  const routes = new SegmentRouter();
  const files = express.Router();
  files.use('/static/plugins', pluginStaticRouter(ctx.registry));
  files.use('/static', assetRoutes(ROOT_DIR));
  routes.add('static', 'the site', files);
  const health = healthRoutes(ctx.db, ctx.readiness);
  for (const segment of ['healthz', 'readyz']) routes.add(segment, 'the site', health);
  return routes;
}

/** The pages and Ajax endpoints after the session: core paths first, then one per plugin URL prefix. */
function siteRoutes(ctx: AppContext, passport: ReturnType<typeof createPassport>, throttle: LoginThrottle): SegmentRouter {
  const { config, db } = ctx;
  const routes = new SegmentRouter();
  const auth = authRoutes({ dataSource: db.dataSource, passport, throttle });
  for (const segment of ['login', 'logout']) routes.add(segment, 'projectroles', auth);
  const guardDeps = { dataSource: db.dataSource, rules: ctx.rules, allowAnonymous: config.allowAnonymous, trustProxy: config.trustProxy };
  const projectroles = projectrolesRoutes({ ...guardDeps, registry: ctx.registry, settings: ctx.settings, delegateLimit: config.delegateLimit });
  for (const segment of ['', 'project']) routes.add(segment, 'projectroles', projectroles);
  for (const [prefix, router] of pluginRouters(ctx.registry, guardDeps)) routes.add(prefix, `plugins at /${prefix}/`, router);
  return routes;
}

export function buildApp(ctx: AppContext): BuiltApp {
  const { config, db } = ctx;
  const app = express();
  app.set('env', 'production'); // Express's own fallback handler must never print stacks.
  app.set('trust proxy', config.trustProxy);
  app.set('views', path.join(ROOT_DIR, 'views'));
  app.set('view engine', 'ejs');
  // Compiled templates are kept (Express does so only with NODE_ENV=production, which we never require).
  app.set('view cache', true);
  app.disable('x-powered-by');
  // Responses are dynamic and per user: an ETag would cost a hash of every body for no cache hit.
  app.set('etag', false);
  app.locals.siteTitle = config.siteTitle;
  app.locals.backendInclude = backendIncludeHelper(ctx.registry);
  // Worked out only when a page is rendered, so Ajax and REST requests never pay for it.
  app.locals.pageContext = async (req: express.Request) => ({
    siteApps: req.user ? await siteAppLinks(ctx.registry, ctx.rules, req) : [],
    ...(await layoutSettings(ctx.settings, req)),
  });

  const cacheMs = config.crossProcessDelaySeconds * 1000;
  const store = new SessionStore(db.dataSource, cacheMs);
  const throttle = new LoginThrottle(db.dataSource, {
    perUsername: config.loginThrottleMax,
    perIp: config.loginThrottleIpMax,
    windowSeconds: config.loginThrottleWindowSeconds,
  });
  const passport = createPassport();

  installRequestLog(app, ctx.logger);
  app.use(requestLogger(ctx.logger, db.queries, config.queryCountHeader));
  app.use(securityHeaders(config));
  app.use(ctx.plugins.middleware());
  const sessionless = sessionlessRoutes(ctx);
  app.use(sessionless.handle);
  app.use(bodyParsers(config.bodyLimitBytes));
  app.use(refuseUnstorableInput);
  app.use(sessionMiddleware(store, { cookieName: 'sodar_session', maxAgeMs: config.sessionMaxAgeSeconds * 1000, secure: config.trustProxy ? 'auto' : false }));
  app.use(sessionUser(db.dataSource, cacheMs));
  app.use(csrfProtection);
  const site = siteRoutes(ctx, passport, throttle);
  app.use(site.handle);
  app.use(notFoundHandler);
  app.use(loginFormErrors);
  app.use(errorHandler);

  return {
    app,
    // One router may serve several segments (/healthz and /readyz): each once.
    routes: () => [...new Set([sessionless, site].flatMap((router) => [...router.segments().values()]))].flatMap((handler) => routesOf(handler)),
    maintenance: async () => {
      await store.prune();
      await throttle.prune();
      // PGlite runs no autovacuum, so planner statistics would never follow the data.
      if (db.kind === 'embedded') await db.dataSource.query('ANALYZE');
    },
  };
}
