/**
 * Limits failed logins per client IP and per username within a sliding window. Failures
 * are rows in the database, so every process serving the site counts the same ones.
 */
import type { DataSource } from 'typeorm';
import { TooManyRequestsError } from '../app/errors';

export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly maxFailures: number,
    private readonly windowSeconds: number,
  ) {}

  /** Throws TooManyRequestsError when the IP or the username has used up its attempts. */
  async check(ip: string, username: string): Promise<void> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM projectroles_login_failure
       WHERE key IN ($1, $2) AND created > now() - make_interval(secs => $3)
       GROUP BY key ORDER BY n DESC LIMIT 1`,
      [ipKey(ip), userKey(username), this.windowSeconds],
    );
    if ((rows[0]?.n ?? 0) >= this.maxFailures) {
      const minutes = Math.ceil(this.windowSeconds / 60);
      throw new TooManyRequestsError(
        `Too many failed login attempts. Please wait ${minutes} minute(s) before trying again.`,
        this.windowSeconds,
      );
    }
  }

  async recordFailure(ip: string, username: string): Promise<void> {
    await this.dataSource.query('INSERT INTO projectroles_login_failure (key) VALUES ($1), ($2)', [
      ipKey(ip),
      userKey(username),
    ]);
  }

  /** A successful login forgives the username's earlier failures (not the IP's). */
  async clear(username: string): Promise<void> {
    await this.dataSource.query('DELETE FROM projectroles_login_failure WHERE key = $1', [userKey(username)]);
  }

  /** Drops failures older than the window; run now and then, not per request. */
  async prune(): Promise<void> {
    await this.dataSource.query(
      'DELETE FROM projectroles_login_failure WHERE created <= now() - make_interval(secs => $1)',
      [this.windowSeconds],
    );
  }
}

const ipKey = (ip: string): string => `ip:${ip}`;
const userKey = (username: string): string => `user:${username.toLowerCase()}`;
