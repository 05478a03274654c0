/**
 * express-session store in the database, so sessions survive restarts and are shared by
 * every process serving the site. Plain SQL that runs the same on PGlite and PostgreSQL.
 */
import session from 'express-session';
import type { DataSource } from 'typeorm';

type SessionCallback = (error?: unknown, data?: session.SessionData | null) => void;

/** How often an unchanged session's expiry is pushed back (one write, not one per request). */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;
/** Bound on the memory of recent touches; past it the memory starts afresh. */
const MAX_REMEMBERED_TOUCHES = 50_000;

export class DatabaseSessionStore extends session.Store {
  /** sid -> when this process last wrote its expiry. */
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly defaultMaxAgeMs: number,
  ) {
    super();
  }

  override get(sid: string, callback: SessionCallback): void {
    this.dataSource
      .query('SELECT data FROM projectroles_session WHERE sid = $1 AND expires > now()', [sid])
      .then((rows: Array<{ data: session.SessionData }>) => callback(null, rows[0]?.data ?? null), callback);
  }

  override set(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    this.remember(sid);
    this.dataSource
      .query(
        `INSERT INTO projectroles_session (sid, data, expires) VALUES ($1, $2, $3)
         ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires = EXCLUDED.expires`,
        [sid, JSON.stringify(data), this.expiry(data)],
      )
      .then(() => callback?.(), callback);
  }

  override touch(sid: string, data: session.SessionData, callback?: (error?: unknown) => void): void {
    if (Date.now() - (this.lastWrite.get(sid) ?? 0) < TOUCH_INTERVAL_MS) {
      callback?.();
      return;
    }
    this.remember(sid);
    this.dataSource
      .query('UPDATE projectroles_session SET expires = $2 WHERE sid = $1', [sid, this.expiry(data)])
      .then(() => callback?.(), callback);
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.lastWrite.delete(sid);
    this.dataSource
      .query('DELETE FROM projectroles_session WHERE sid = $1', [sid])
      .then(() => callback?.(), callback);
  }

  /** Removes expired sessions; run now and then, not per request. */
  async prune(): Promise<void> {
    await this.dataSource.query('DELETE FROM projectroles_session WHERE expires <= now()');
  }

  private remember(sid: string): void {
    if (this.lastWrite.size >= MAX_REMEMBERED_TOUCHES) this.lastWrite.clear();
    this.lastWrite.set(sid, Date.now());
  }

  private expiry(data: session.SessionData): Date {
    const expires = data.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + this.defaultMaxAgeMs);
  }
}
