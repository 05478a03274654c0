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

  /** The session's JSON if this process read or wrote it lately (no query, no wait). */
  recentJson(sid: string): string | undefined {
    return this.recent.get(sid);
  }

  /** The session's JSON from the database, or null when there is none or it expired. */
  async load(sid: string): Promise<string | null> {
    const rows: Array<{ data: SessionData }> = await this.dataSource.query(
      'SELECT data FROM projectroles_session WHERE sid = $1 AND expires > now()',
      [sid],
    );
    if (!rows[0]) return null;
    const json = JSON.stringify(rows[0].data);
    this.recent.set(sid, json);
    return json;
  }

  async set(sid: string, json: string, expires: Date): Promise<void> {
    this.recent.delete(sid); // until the write is done, a concurrent request reads the row
    await this.dataSource.query(
      `INSERT INTO projectroles_session (sid, data, expires) VALUES ($1, $2, $3)
       ON CONFLICT (sid) DO UPDATE SET data = EXCLUDED.data, expires = EXCLUDED.expires`,
      [sid, json, expires],
    );
    this.recent.set(sid, json);
    this.lastWrite.set(sid, true);
  }

  /** Whether this process has not pushed the session's expiry back lately. */
  touchDue(sid: string): boolean {
    return !this.lastWrite.get(sid);
  }

  /** Pushes the session's expiry back. */
  async touch(sid: string, expires: Date): Promise<void> {
    this.lastWrite.set(sid, true);
    await this.dataSource.query('UPDATE projectroles_session SET expires = $2 WHERE sid = $1', [sid, expires]);
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
