/** Opening a site: configuration to a migrated database with its first user. */
import path from 'node:path';
import type { Logger } from 'pino';
import { builtInMigrations } from '../migrations';
import { projectrolesEntities } from '../projectroles/entities';
import { ensureFirstSuperuser } from '../projectroles/users';
import type { Config } from './config';
import { migrate, openDatabase, type Database } from './database';

export function embeddedPath(config: Config): string {
  return path.join(config.dataDir, 'db');
}

/** Opens the database of `config` and applies pending migrations. */
export async function openSiteDatabase(config: Config, logger: Logger): Promise<Database> {
  const db = await openDatabase({
    url: config.databaseUrl,
    embeddedPath: embeddedPath(config),
    entities: [...projectrolesEntities],
    migrations: builtInMigrations,
    logger: logger.child({ component: 'database' }),
  });
  await migrate(db);
  return db;
}

/** Creates `admin` on an empty database and says how to log in. */
export async function announceFirstSuperuser(db: Database, config: Config, logger: Logger): Promise<void> {
  const result = await ensureFirstSuperuser(db.dataSource, config.adminPassword);
  if (!result.created) return;
  const shown = result.password ? `"${result.password}"` : 'from ADMIN_PASSWORD';
  logger.warn(`First start: created superuser "admin" with password ${shown} (shown once: note it now)`);
}
