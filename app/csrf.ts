/**
 * CSRF protection, Django style: a random token in the `csrftoken` cookie that every
 * state-changing request must repeat, forms as `_csrf`, Ajax calls as the `X-CSRFToken`
 * header. A cross-site page can make the browser send the cookie but cannot read it to
 * repeat it. Keeping it out of the session means anonymous visitors of the login page
 * cost no session row.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import { PermissionDeniedError } from './errors';

const COOKIE_NAME = 'csrftoken';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOKEN_PATTERN = /^[\w-]{32}$/;

function sameToken(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(req: Request): string | null {
  const token = parseCookies(req.headers.cookie ?? '')[COOKIE_NAME];
  return token && TOKEN_PATTERN.test(token) ? token : null;
}

/** Sends the browser a new token; returns it. */
function newCookieToken(req: Request, res: Response): string {
  const token = randomBytes(24).toString('base64url');
  // req.secure is true only over https (directly, or behind a trusted proxy).
  res.cookie(COOKIE_NAME, token, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', maxAge: 365 * 24 * 3600 * 1000 });
  return token;
}

/**
 * The token for a page's forms, as a function the views call: only pages with a form read
 * the cookie, and set it when the browser has none yet.
 */
export function csrfTokenFunction(req: Request, res: Response): () => string {
  let token: string | null = null;
  return () => (token ??= cookieToken(req) ?? newCookieToken(req, res));
}

/**
 * A new token at login, as Django's rotate_token: a token planted in the browser before
 * login (by someone who could set its cookie) is useless after it.
 */
export function rotateCsrfToken(req: Request, res: Response): void {
  newCookieToken(req, res);
}

/** Checks unsafe requests: 403 when the token is missing or wrong. Safe ones pass untouched. */
export function csrfProtection(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const expected = cookieToken(req);
  const given = req.get('x-csrftoken') ?? (req.body as Record<string, unknown> | undefined)?._csrf;
  if (!expected || !sameToken(expected, given)) {
    return next(new PermissionDeniedError('CSRF verification failed: the form or request carried no valid token. Reload the page and try again.', true));
  }
  next();
}
