/**
 * Login sessions: a random id in an httpOnly cookie, the data in the database (see
 * session-store.ts). Leaner than express-session, which cost a third of a cached request:
 * no cookie signature (a 256-bit random id is unguessable on its own, as in Django), and
 * one JSON comparison to tell whether a session changed. Offers what passport needs:
 * `req.session.regenerate()` and `req.session.save()`.
 */
import { randomBytes } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import type { SessionData, SessionStore } from './session-store';

export interface SessionOptions {
  cookieName: string;
  maxAgeMs: number;
  /** Secure cookies: 'auto' follows req.secure (behind a trusted proxy). */
  secure: boolean | 'auto';
}

const SID_PATTERN = /^[\w-]{43}$/;
const newSid = () => randomBytes(32).toString('base64url');

/** The session object passport and the views see as `req.session`. Data are its own properties. */
export class Session {
  constructor(
    private readonly control: SessionControl,
    data: SessionData,
  ) {
    Object.assign(this, data);
  }

  /** Replaces the session with an empty one under a new id (against session fixation). */
  regenerate(callback: (error?: unknown) => void): void {
    this.control.regenerate().then(() => callback(), callback);
  }

  save(callback?: (error?: unknown) => void): void {
    this.control.save().then(() => callback?.(), (error: unknown) => callback?.(error));
  }
}

/** The session's data as JSON: its own fields but the control handle. */
function dataOf(session: Session): string {
  const { control: _control, ...data } = session as unknown as Record<string, unknown>;
  return JSON.stringify(data);
}

/** Per-request state behind `req.session`. */
class SessionControl {
  /** Id of the stored session, or null while nothing is stored. */
  sid: string | null;
  /** The data as last loaded or saved, to tell whether the request changed them. */
  savedJson: string;
  /** Whether the response must (re)send the cookie. */
  sendCookie = false;

  constructor(
    private readonly req: Request,
    private readonly store: SessionStore,
    private readonly options: SessionOptions,
    sid: string | null,
    json: string,
  ) {
    this.sid = sid;
    this.savedJson = json;
    req.session = new Session(this, JSON.parse(json) as SessionData) as Request['session'];
  }

  expiry(): Date {
    return new Date(Date.now() + this.options.maxAgeMs);
  }

  async regenerate(): Promise<void> {
    if (this.sid) await this.store.destroy(this.sid);
    this.sid = null;
    this.savedJson = '{}';
    this.req.session = new Session(this, {}) as Request['session'];
  }

  async save(): Promise<void> {
    const json = dataOf(this.req.session as unknown as Session);
    if (!this.sid) {
      this.sid = newSid();
      this.sendCookie = true;
    }
    await this.store.set(this.sid, json, this.expiry());
    this.savedJson = json;
  }

  /**
   * At the end of the request: save if changed (a new session only when it holds
   * something), else touch now and then. Null when there is nothing to write, so the
   * response can go out at once.
   */
  finish(): Promise<void> | null {
    const json = dataOf(this.req.session as unknown as Session);
    if (json !== this.savedJson && (this.sid || json !== '{}')) return this.save();
    if (!this.sid || !this.store.touchDue(this.sid)) return null;
    this.sendCookie = true;
    return this.store.touch(this.sid, this.expiry());
  }

  setCookie(res: Response): void {
    if (!this.sendCookie || !this.sid) return;
    const secure = this.options.secure === 'auto' ? this.req.secure : this.options.secure;
    res.cookie(this.options.cookieName, this.sid, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: this.options.maxAgeMs });
  }
}

/**
 * Loads the session named by the cookie (or starts an empty one), and before the response
 * ends stores what changed and sets the cookie.
 */
export function sessionMiddleware(store: SessionStore, options: SessionOptions) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const cookie = req.headers.cookie;
    const sid = cookie?.includes(options.cookieName) ? parseCookies(cookie)[options.cookieName] : undefined;
    const start = (json: string | null) => {
      const control = new SessionControl(req, store, options, json ? sid! : null, json ?? '{}');
      holdEndUntilSaved(res, control, next);
      next();
    };
    if (!sid || !SID_PATTERN.test(sid)) return start(null);
    const recent = store.recentJson(sid);
    if (recent !== undefined) return start(recent);
    store.load(sid).then(start, next);
  };
}

/** Wraps res.end: finish the session (save, cookie) first, then send. */
function holdEndUntilSaved(res: Response, control: SessionControl, next: NextFunction): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((...args: unknown[]) => {
    const send = () => {
      if (!res.headersSent) control.setCookie(res);
      end(...args);
    };
    const writing = control.finish();
    if (!writing) send();
    else {
      writing.then(send, (error: unknown) => {
        res.end = end as Response['end'];
        next(error);
      });
    }
    return res;
  }) as Response['end'];
}
