/**
 * Login and logout; sessions hold the user's sodar_uuid. Passport gives req.login and
 * req.logout; the password check is ours, as passport-local also reads credentials from the
 * query string (where they would skip the form, the throttle's username and the log's care).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { Passport } from 'passport';
import type { DataSource } from 'typeorm';
import { rotateCsrfToken } from '../app/csrf';
import { checkColumnLengths, columnLengths } from '../app/input-limits';
import { BadInputError, PermissionDeniedError } from '../app/errors';
import { TtlCache } from '../app/ttl-cache';
import { renderPage } from '../app/pages';
import { UserEntity, type User } from './entities';
import type { LoginAttempt, LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';
import { findActiveUser } from './users';

/** Only same-site paths: `//evil.example` or `https://...` would be an open redirect. */
export function safeNextPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

export function createPassport(): InstanceType<typeof Passport> {
  const passport = new Passport();
  passport.serializeUser<string>((user, done) => done(null, user.sodar_uuid));
  return passport;
}

/**
 * Sets `req.user` from the session's login, as `passport.session()` would, without its
 * per-request strategy machinery (a sixth of a cached request's CPU). `cacheMs`: how long
 * a change to a user (deactivation, say) may take to reach a process. What a logged-in user
 * is sent (pages, Ajax, REST) is theirs alone, so no cache, shared or the browser's, keeps it.
 */
export function sessionUser(dataSource: DataSource, cacheMs: number) {
  const recentUsers = new TtlCache<string, User | null>(cacheMs);
  return (req: Request, res: Response, next: NextFunction): void => {
    const uuid = req.session.passport?.user;
    if (!uuid) return next();
    const done = (user: User | null) => {
      if (user) {
        req.user = { ...user };
        res.setHeader('Cache-Control', 'no-store');
      } else delete req.session.passport!.user; // deactivated or deleted: logged out
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

/** The signed-in user of a route that requires one (its rule or requireLogin let only users through). */
export function signedInUser(req: Request): User {
  if (!req.user) throw new PermissionDeniedError('Authentication required.');
  return req.user;
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

interface Credentials {
  username: string;
  password: string;
}

/** The username column's length: a longer name cannot be anyone's. */
const USERNAME_MAX_CHARS = columnLengths(UserEntity).get('username') ?? 0;
/** PostgreSQL text cannot hold it (refuseUnstorableInput answers a body with one before this route). */
const NUL = '\u0000';

/** The submitted username as the form shows it again: cut to what the field takes, NULs dropped. */
function usernameForForm(req: Request): string {
  const { username } = (req.body ?? {}) as { username?: unknown };
  if (typeof username !== 'string') return '';
  // Two UTF-16 units per character at most: the cheap cut first, then one by characters.
  return [...username.slice(0, 2 * USERNAME_MAX_CHARS).replaceAll(NUL, '')].slice(0, USERNAME_MAX_CHARS).join('');
}

function showLogin(req: Request, res: Response, error: string | null = null, status = 200): void {
  const next = safeNextPath(req.query.next ?? (req.body as { next?: unknown } | undefined)?.next);
  const locals = { title: 'Login', next, error, username: usernameForForm(req), usernameMaxLength: USERNAME_MAX_CHARS };
  renderPage(req, res, 'projectroles/login', locals, status);
}

/** The credentials from the form body, never the query string; BadInputError says what is wrong. */
function readCredentials(req: Request): Credentials {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new BadInputError('The login form must be sent as application/x-www-form-urlencoded.');
  }
  const { username, password } = req.body as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || !username.trim()) throw new BadInputError('username: this field is required');
  if (typeof password !== 'string' || !password) throw new BadInputError('password: this field is required');
  checkColumnLengths(UserEntity, { username: username.trim() });
  return { username: username.trim(), password };
}

async function checkPassword(dataSource: DataSource, { username, password }: Credentials): Promise<User | null> {
  const user = await findActiveUser(dataSource, { username });
  return user && (await verifyPassword(password, user.password)) ? user : null;
}

function logIn(deps: AuthDeps, req: Request, res: Response, next: NextFunction, user: User, attempt: LoginAttempt): void {
  req.login(user, (error) => {
    if (error) return next(error);
    rotateCsrfToken(req, res);
    res.setHeader('Cache-Control', 'no-store');
    Promise.all([
      deps.throttle.succeeded(attempt),
      deps.dataSource.getRepository(UserEntity).update({ id: user.id }, { last_login: new Date() }),
    ]).then(() => res.redirect(safeNextPath((req.body as { next?: unknown }).next)), next);
  });
}

/** The attempt is counted before the password is checked, so parallel guesses cannot outrun the limit. */
async function handleLogin(deps: AuthDeps, req: Request, res: Response, next: NextFunction): Promise<void> {
  const credentials = readCredentials(req);
  const attempt = await deps.throttle.begin(req.ip ?? 'unknown', credentials.username);
  const user = await checkPassword(deps.dataSource, credentials);
  if (user) logIn(deps, req, res, next, user, attempt);
  else showLogin(req, res, 'Please enter a correct username and password.');
}

/**
 * Error middleware (after the routes): a bad login form, found by the login route or by the
 * input checks before it, shows the form again with the message and a 400.
 */
export function loginFormErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (!(error instanceof BadInputError) || req.method !== 'POST' || !/^\/login\/?$/i.test(req.path) || res.headersSent) return next(error);
  showLogin(req, res, error.message, 400);
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
