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

/**
 * Checks unsafe requests (403 when the token is missing or wrong) and offers the token to
 * views. `trustProxy`: mark the cookie Secure when the request came over https.
 */
export function csrfProtection(trustProxy: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    let issued: string | null = null;
    let existing: string | null | undefined;
    // Views call this lazily, so only pages with a form read or set the cookie.
    res.locals.csrfToken = () => {
      existing ??= cookieToken(req);
      if (existing) return existing;
      if (!issued) {
        issued = randomBytes(24).toString('base64url');
        const secure = trustProxy && req.secure;
        res.cookie(COOKIE_NAME, issued, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 365 * 24 * 3600 * 1000 });
      }
      return issued;
    };
    if (SAFE_METHODS.has(req.method)) return next();
    existing = cookieToken(req);
    const given = req.get('x-csrftoken') ?? (req.body as Record<string, unknown> | undefined)?._csrf;
    if (!existing || !sameToken(existing, given)) {
      return next(new PermissionDeniedError('CSRF verification failed: the form or request carried no valid token. Reload the page and try again.', true));
    }
    next();
  };
}
