/**
 * Limits failed logins per client IP and per username within a sliding window. Failures
 * are rows in the database, so every process serving the site counts the same ones.
 */
import type { DataSource } from 'typeorm';
import { TooManyRequestsError } from '../app/errors';

export class LoginThrottle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly limits: { perUsername: number; perIp: number; windowSeconds: number },
  ) {}

  /** Throws TooManyRequestsError when the IP or the username has used up its attempts. */
  async check(ip: string, username: string): Promise<void> {
    const { perUsername, perIp, windowSeconds } = this.limits;
    const rows: Array<{ key: string; n: number }> = await this.dataSource.query(
      `SELECT key, count(*)::int AS n FROM projectroles_login_failure
       WHERE key IN ($1, $2) AND created > now() - make_interval(secs => $3)
       GROUP BY key`,
      [ipKey(ip), userKey(username), windowSeconds],
    );
    const failures = (key: string) => rows.find((row) => row.key === key)?.n ?? 0;
    if (failures(userKey(username)) >= perUsername || failures(ipKey(ip)) >= perIp) {
      const minutes = Math.ceil(windowSeconds / 60);
      throw new TooManyRequestsError(
        `Too many failed login attempts. Please wait ${minutes} minute(s) before trying again.`,
        windowSeconds,
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
      [this.limits.windowSeconds],
    );
  }
}

const ipKey = (ip: string): string => `ip:${ip}`;
const userKey = (username: string): string => `user:${username.toLowerCase()}`;
