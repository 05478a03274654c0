/** Login and logout with passport-local; sessions hold the user's sodar_uuid. */
import express, { type NextFunction, type Request, type Response } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { DataSource } from 'typeorm';
import { PermissionDeniedError } from '../app/errors';
import { TtlCache } from '../app/ttl-cache';
import { renderPage } from '../app/pages';
import { UserEntity, type User } from './entities';
import type { LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';
import { findActiveUser } from './users';

/** Only same-site paths: `//evil.example` or `https://...` would be an open redirect. */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

export function createPassport(dataSource: DataSource): InstanceType<typeof Passport> {
  const passport = new Passport();
  passport.use(
    new LocalStrategy((username, password, done) => {
      findActiveUser(dataSource, { username })
        .then(async (user) => done(null, user && (await verifyPassword(password, user.password)) ? user : false))
        .catch(done);
    }),
  );
  passport.serializeUser<string>((user, done) => done(null, user.sodar_uuid));
  return passport;
}

/**
 * Sets `req.user` from the session's login, as `passport.session()` would, without its
 * per-request strategy machinery (a sixth of a cached request's CPU). `cacheMs`: how long
 * a change to a user (deactivation, say) may take to reach a process.
 */
export function sessionUser(dataSource: DataSource, cacheMs: number) {
  const recentUsers = new TtlCache<string, User | null>(cacheMs);
  return (req: Request, _res: Response, next: NextFunction): void => {
    const uuid = req.session.passport?.user;
    if (!uuid) return next();
    const done = (user: User | null) => {
      if (user) req.user = { ...user };
      else delete req.session.passport!.user; // deactivated or deleted: logged out
      next();
    };
    const cached = recentUsers.get(uuid);
    if (cached !== undefined) return done(cached);
    findActiveUser(dataSource, { sodar_uuid: uuid }).then((user) => {
      recentUsers.set(uuid, user);
      done(user);
    }, next);
  };
}

/** Middleware for pages that need a logged-in user (anonymous: redirect to login). */
export function requireLogin(req: Request, _res: Response, next: NextFunction): void {
  next(req.user ? undefined : new PermissionDeniedError('Please log in to see this page.'));
}

interface AuthDeps {
  dataSource: DataSource;
  passport: InstanceType<typeof Passport>;
  throttle: LoginThrottle;
}

function showLogin(req: Request, res: Response, error: string | null = null): void {
  const next = safeNextPath(req.query.next ?? (req.body as { next?: unknown } | undefined)?.next);
  renderPage(req, res, 'projectroles/login', { title: 'Login', next, error, username: (req.body as { username?: string } | undefined)?.username ?? '' });
}

function logIn(deps: AuthDeps, req: Request, res: Response, next: NextFunction, user: User): void {
  req.login(user, (error) => {
    if (error) return next(error);
    Promise.all([
      deps.throttle.clear(user.username),
      deps.dataSource.getRepository(UserEntity).update({ id: user.id }, { last_login: new Date() }),
    ]).then(() => res.redirect(safeNextPath((req.body as { next?: unknown }).next)), next);
  });
}

async function handleLogin(deps: AuthDeps, req: Request, res: Response, next: NextFunction): Promise<void> {
  const body = req.body as { username?: unknown; password?: unknown };
  const username = typeof body.username === 'string' ? body.username.trim() : '';
  await deps.throttle.check(req.ip ?? 'unknown', username);
  deps.passport.authenticate('local', (error: unknown, user: User | false) => {
    if (error) return next(error);
    if (user) return logIn(deps, req, res, next, user);
    deps.throttle.recordFailure(req.ip ?? 'unknown', username).then(
      () => showLogin(req, res, 'Please enter a correct username and password.'),
      next,
    );
  })(req, res, next);
}

export function authRoutes(deps: AuthDeps): express.Router {
  const router = express.Router();
  // passport's req.login/req.logout are needed only here, so other requests skip its setup.
  router.use(['/login', '/logout'], deps.passport.initialize({ compat: false }));
  router.get('/login', (req, res) => (req.user ? res.redirect(safeNextPath(req.query.next)) : showLogin(req, res)));
  router.post('/login', (req, res, next) => handleLogin(deps, req, res, next).catch(next));
  router.post('/logout', (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.redirect('/login')));
  });
  return router;
}
