/** What the command-line tools share: configuration, logging and the migrated database. */
import { loadConfig, ConfigError, type Config } from '../app/config';
import type { Database } from '../app/database';
import { createLogger } from '../app/logger';
import { openSiteDatabase } from '../app/site';

/** Runs `work` on the site's database, then closes it; prints errors without a stack trace. */
export async function withSiteDatabase(work: (db: Database, config: Config) => Promise<void>): Promise<void> {
  let db: Database | undefined;
  try {
    const config = loadConfig(process.env);
    db = await openSiteDatabase(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel));
    await work(db, config);
  } catch (error) {
    const known = error instanceof ConfigError || (error as { status?: number }).status === 400;
    console.error(known ? (error as Error).message : error);
    process.exitCode = 1;
  } finally {
    await db?.dataSource.destroy();
  }
}
