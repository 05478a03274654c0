/**
 * Builds the Express application from its parts; listening is main.ts's job, so tests
 * use the same app in-process with supertest.
 */
import path from 'node:path';
import express from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { authRoutes, createPassport } from '../projectroles/auth';
import { backendIncludeHelper } from '../projectroles/backend-include';
import { pluginRouter, pluginStaticRouter } from '../projectroles/plugin-router';
import type { PluginStateWatcher } from '../projectroles/plugin-states';
import type { PluginRegistry } from '../projectroles/registry';
import type { RuleSet } from '../projectroles/rules';
import { LoginThrottle } from '../projectroles/login-throttle';
import { projectrolesRoutes } from '../projectroles/routes';
import { DatabaseSessionStore } from '../projectroles/session-store';
import { assetRoutes } from './assets';
import type { Config } from './config';
import { csrfProtection } from './csrf';
import type { Database } from './database';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRoutes } from './health';
import { requestLogger } from './logger';

export const ROOT_DIR = path.resolve(__dirname, '..');

export interface AppContext {
  config: Config;
  db: Database;
  logger: Logger;
  /** Key signing session cookies (see secret.ts). */
  secret: string;
  registry: PluginRegistry;
  rules: RuleSet;
  /** Keeps plugin enabled states fresh across processes. */
  plugins: PluginStateWatcher;
}

export interface BuiltApp {
  app: express.Express;
  /** Housekeeping to run now and then: drops expired sessions and old login failures. */
  maintenance(): Promise<void>;
}

function securityHeaders(config: Config) {
  return helmet({
    contentSecurityPolicy: {
      // Only the app's own origin; upgrading to https would break plain-http local use.
      directives: { 'upgrade-insecure-requests': config.trustProxy ? [] : null },
    },
    strictTransportSecurity: config.trustProxy,
  });
}

function sessions(ctx: AppContext, store: DatabaseSessionStore) {
  return session({
    name: 'sodar_session',
    secret: ctx.secret,
    store,
    resave: false,
    saveUninitialized: false,
    proxy: ctx.config.trustProxy,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.config.trustProxy ? 'auto' : false,
      maxAge: ctx.config.sessionMaxAgeSeconds * 1000,
    },
  });
}

export function buildApp(ctx: AppContext): BuiltApp {
  const { config, db } = ctx;
  const app = express();
  app.set('env', 'production'); // Express's own fallback handler must never print stacks.
  app.set('trust proxy', config.trustProxy);
  app.set('views', path.join(ROOT_DIR, 'views'));
  app.set('view engine', 'ejs');
  app.disable('x-powered-by');
  app.locals.siteTitle = config.siteTitle;
  app.locals.backendInclude = backendIncludeHelper(ctx.registry);

  const store = new DatabaseSessionStore(db.dataSource, config.sessionMaxAgeSeconds * 1000);
  const throttle = new LoginThrottle(db.dataSource, {
    perUsername: config.loginThrottleMax,
    perIp: config.loginThrottleIpMax,
    windowSeconds: config.loginThrottleWindowSeconds,
  });
  const passport = createPassport(db.dataSource);

  app.use(requestLogger(ctx.logger, db.queries, config.queryCountHeader));
  app.use(securityHeaders(config));
  app.use(ctx.plugins.middleware());
  app.use(pluginStaticRouter(ctx.registry));
  app.use(assetRoutes(ROOT_DIR));
  app.use(healthRoutes(db));
  app.use(express.json({ limit: config.bodyLimitBytes }));
  app.use(express.urlencoded({ extended: false, limit: config.bodyLimitBytes }));
  app.use(sessions(ctx, store));
  app.use(passport.session());
  app.use(csrfProtection(config.trustProxy));
  app.use(authRoutes({ dataSource: db.dataSource, passport, throttle }));
  app.use(projectrolesRoutes({ dataSource: db.dataSource, registry: ctx.registry }));
  app.use(pluginRouter(ctx.registry, ctx.rules));
  app.use(notFoundHandler);
  app.use(errorHandler);

  return {
    app,
    maintenance: async () => {
      await store.prune();
      await throttle.prune();
    },
  };
}
