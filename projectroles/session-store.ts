/**
 * Session rows in the database, so sessions survive restarts and are shared by every
 * process serving the site. Plain SQL that runs the same on PGlite and PostgreSQL.
 */
import type { DataSource } from 'typeorm';
import { TtlCache } from '../app/ttl-cache';

/** What a session holds (passport's login, one-time messages, ...). */
export type SessionData = Record<string, unknown>;

/** How often an unchanged session's expiry is pushed back (one write, not one per request). */
export const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export class SessionStore {
  /**
   * sid -> session JSON recently read or written here. Kept as text so each request parses
   * its own copy; another process's logout reaches this one within `cacheMs`.
   */
  private readonly recent: TtlCache<string, string>;
  /** sid -> when this process last wrote its expiry. */
  private readonly lastWrite: TtlCache<string, true>;

  constructor(
    private readonly dataSource: DataSource,
    cacheMs: number,
  ) {
    this.recent = new TtlCache(cacheMs);
    this.lastWrite = new TtlCache(TOUCH_INTERVAL_MS, 50_000);
  }

  async get(sid: string): Promise<SessionData | null> {
    const cached = this.recent.get(sid);
    if (cached !== undefined) return JSON.parse(cached) as SessionData;
    const rows: Array<{ data: SessionData }> = await this.dataSource.query(
      'SELECT data FROM projectroles_session WHERE sid = $1 AND expires > now()',
      [sid],
    );
    const data = rows[0]?.data ?? null;
    if (data) this.recent.set(sid, JSON.stringify(data));
    return data;
  }

  async set(sid: string, json: string, expires: Date): Promise<void> {
    this.recent.delete(sid);
    await this.dataSource.query(
      `INSERT INTO projectroles_session (sid, data, expires) VALUES ($1, $2, $3)
       ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires = EXCLUDED.expires`,
      [sid, json, expires],
    );
    this.lastWrite.set(sid, true);
  }

  /** Pushes the expiry back unless this process did so lately; returns whether it wrote. */
  async touch(sid: string, expires: Date): Promise<boolean> {
    if (this.lastWrite.get(sid)) return false;
    this.lastWrite.set(sid, true);
    await this.dataSource.query('UPDATE projectroles_session SET expires = $2 WHERE sid = $1', [sid, expires]);
    return true;
  }

  async destroy(sid: string): Promise<void> {
    this.recent.delete(sid);
    this.lastWrite.delete(sid);
    await this.dataSource.query('DELETE FROM projectroles_session WHERE sid = $1', [sid]);
  }

  /** Removes expired sessions; run now and then, not per request. */
  async prune(): Promise<void> {
    await this.dataSource.query('DELETE FROM projectroles_session WHERE expires <= now()');
  }
}
