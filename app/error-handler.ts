/**
 * The one place where errors become responses: a status code with a page for browsers or
 * JSON for Ajax/REST clients. Users never see a stack trace; unexpected errors are logged.
 */
import type { NextFunction, Request, Response } from 'express';
import { isDatabaseUnavailable } from './database';
import { BadInputError, ConflictError, HttpError, NotFoundError, PermissionDeniedError, TooManyRequestsError, UnavailableError } from './errors';
import { flash, renderPage } from './pages';

/** Ajax, REST and JSON-speaking clients get JSON; browsers get pages. */
export function wantsJson(req: Request): boolean {
  if (/\/(ajax|api)(\/|$)/.test(req.path)) return true;
  if (req.is('application/json')) return true;
  return req.accepts(['html', 'json']) === 'json';
}

/** Errors thrown by body-parser carry a `type`; map them to our vocabulary. */
function fromBodyParser(error: { type?: unknown; limit?: unknown }): HttpError | null {
  switch (error.type) {
    case 'entity.parse.failed':
      return new HttpError(400, 'Malformed JSON in request body');
    case 'entity.too.large':
      return new HttpError(413, `Request body too large (limit ${String(error.limit)} bytes)`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpError(415, 'Unsupported request body encoding');
    default:
      return null;
  }
}

/** REST clients learn "log in" from 401 (SODAR's Basic/token auth), not from 403. */
function restAuthRequired(req: Request, error: HttpError): HttpError | null {
  if (!(error instanceof PermissionDeniedError) || req.user || !/\/api(\/|$)/.test(req.path)) return null;
  return new HttpError(401, 'Authentication credentials were not provided.');
}

/**
 * PostgreSQL's data exceptions (SQLSTATE class 22: value too long, malformed number or
 * UUID, untranslatable character) and "too complex" (54xxx: nesting too deep) are about the
 * values sent: a safety net behind the field checks, which name the field.
 */
function isDataException(error: unknown): boolean {
  const { code, driverError } = error as { code?: unknown; driverError?: { code?: unknown } };
  const sqlState = typeof code === 'string' ? code : driverError?.code;
  return typeof sqlState === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(sqlState);
}

/**
 * A unique violation (SQLSTATE 23505, raw or wrapped in TypeORM's QueryFailedError) means
 * a change made at the same time got there first: a 409 with a message, not a fault.
 */
export function uniqueViolationConflict(error: unknown): ConflictError | null {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  if (code !== '23505' && driverError?.code !== '23505') return null;
  return new ConflictError('This conflicts with a change made at the same time (the entry already exists); reload the page and try again.');
}

function classify(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const parsed = fromBodyParser(error as { type?: unknown });
  if (parsed) return parsed;
  // Other http-errors from Express's own modules (static files: 404, bad ranges: 416).
  const { status } = error as { status?: unknown };
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return status === 404 ? new NotFoundError() : new HttpError(status, 'Bad request');
  }
  if (isDatabaseUnavailable(error)) return new UnavailableError();
  if (isDataException(error)) return new BadInputError('A value in the request cannot be stored: it is too long, too deeply nested or malformed.');
  const conflict = uniqueViolationConflict(error);
  if (conflict) return conflict;
  return new HttpError(500, 'Internal server error: the problem has been logged.');
}

/** SODAR's UI rule: a denied page redirects to login (anonymous) or home with a message. */
function redirectDenied(req: Request, res: Response, error: PermissionDeniedError): void {
  if (!req.user) {
    res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  flash(req, 'danger', error.message);
  res.redirect('/');
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError(`Not found: ${req.method} ${req.path}`));
}

export function errorHandler(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) return next(error);
  const httpError = restAuthRequired(req, classify(error)) ?? classify(error);
  const log = req.log;
  if (httpError.status >= 500) log?.error({ err: error }, httpError.message);
  else log?.debug({ err: error }, httpError.message);
  if (httpError instanceof TooManyRequestsError) res.set('Retry-After', String(httpError.retryAfterSeconds));
  if (httpError.status === 401) res.set('WWW-Authenticate', 'Token');
  if (wantsJson(req)) {
    res.status(httpError.status).json({ detail: httpError instanceof PermissionDeniedError ? httpError.jsonMessage : httpError.message });
    return;
  }
  if (httpError instanceof PermissionDeniedError && !httpError.showPage && req.session) {
    redirectDenied(req, res, httpError);
    return;
  }
  const locals = { title: `Error ${httpError.status}`, status: httpError.status, message: httpError.message };
  renderPage(req, res, 'error', locals, httpError.status, (renderError) => {
    log?.error({ err: renderError }, 'error page failed to render');
    res.status(httpError.status).type('text').send(httpError.message);
  });
}
