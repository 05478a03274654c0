/**
 * Limits password checks per client IP and per username within a sliding window. Attempts
 * are rows in the database, so every process serving the site counts the same ones.
 *
 * An attempt is counted and recorded before its password is checked, in one statement that
 * writes the row only when the count allows it. That statement runs under transaction-scoped
 * advisory locks on the IP and the username, so it sees every attempt committed before it:
 * parallel guesses, in one process or many, cannot all read the same old count. Rows of
 * wrong passwords stay as failures; a success removes its own and forgives the username's.
 */
import type { DataSource } from 'typeorm';
import { TooManyRequestsError } from '../app/errors';

/** The rows one attempt wrote, to keep (wrong password) or forgive (success). */
export interface LoginAttempt {
  readonly username: string;
  /** Its IP row and its username row. */
  readonly rowIds: readonly string[];
}

// IP key first, then the username's: every attempt locks in this order, so none waits in a cycle.
const LOCK_KEYS = 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))';

/** Inserts the attempt's two rows only while both keys are under their limits; returns their ids. */
const RECORD_IF_ALLOWED = `
  WITH recent AS (
    SELECT count(*) FILTER (WHERE key = $1) AS ip_attempts, count(*) FILTER (WHERE key = $2) AS user_attempts
    FROM projectroles_login_failure
    WHERE key IN ($1, $2) AND created > now() - make_interval(secs => $3)
  )
  INSERT INTO projectroles_login_failure (key)
  SELECT attempt.key FROM recent, (VALUES ($1::varchar), ($2::varchar)) AS attempt (key)
  WHERE recent.ip_attempts < $4 AND recent.user_attempts < $5
  RETURNING id`;

export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly limits: { perUsername: number; perIp: number; windowSeconds: number },
  ) {}

  /** Records an attempt; throws TooManyRequestsError (recording nothing) when the IP or the username has used up its attempts. */
  async begin(ip: string, username: string): Promise<LoginAttempt> {
    const { perUsername, perIp, windowSeconds } = this.limits;
    const keys = [ipKey(ip), userKey(username)];
    const rows = await this.dataSource.transaction(async (manager) => {
      await manager.query(LOCK_KEYS, keys);
      return (await manager.query(RECORD_IF_ALLOWED, [...keys, windowSeconds, perIp, perUsername])) as Array<{ id: string | number }>;
    });
    if (rows.length > 0) return { username, rowIds: rows.map((row) => String(row.id)) };
    const minutes = Math.ceil(windowSeconds / 60);
    throw new TooManyRequestsError(`Too many failed login attempts. Please wait ${minutes} minute(s) before trying again.`, windowSeconds);
  }

  /** A successful login is no failure, and forgives the username's earlier ones (not the IP's). */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await this.dataSource.query('DELETE FROM projectroles_login_failure WHERE key = $1 OR id IN ($2, $3)', [
      userKey(attempt.username),
      ...attempt.rowIds,
    ]);
  }

  /** Drops failures older than the window; run now and then, not per request. */
  async prune(): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM projectroles_login_failure WHERE created <= now() - make_interval(secs => $1)',
      [this.limits.windowSeconds],
    );
  }
}

const ipKey = (ip: string): string => `ip:${ip}`;
const userKey = (username: string): string => `user:${username.toLowerCase()}`;
