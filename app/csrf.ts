/**
 * CSRF protection with a per-session token: forms send it as `_csrf`, Ajax calls as the
 * `X-CSRFToken` header (SODAR's name). Every state-changing method needs it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { PermissionDeniedError } from './errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session's token, created on first use. */
export function csrfToken(req: Request): string {
  req.session.csrfToken ??= randomBytes(24).toString('base64url');
  return req.session.csrfToken;
}

function sameToken(expected: string | undefined, given: unknown): boolean {
  if (typeof expected !== 'string' || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Refuses unsafe requests whose token is missing or wrong (403), and offers the token to views. */
export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  res.locals.csrfToken = () => csrfToken(req);
  if (SAFE_METHODS.has(req.method)) return next();
  const body = req.body as Record<string, unknown> | undefined;
  const given = req.get('x-csrftoken') ?? body?._csrf;
  if (!sameToken(req.session.csrfToken, given)) {
    return next(new PermissionDeniedError('CSRF verification failed: the form or request carried no valid token. Reload the page and try again.', true));
  }
  next();
}
