/** What the command-line tools share: configuration, logging and the migrated database. */
import { loadConfig, ConfigError, type Config } from '../app/config';
import type { Database } from '../app/database';
import { EmbeddedDatabaseLockedError } from '../app/embedded-lock';
import type { PluginRegistry } from '../projectroles/registry';
import type { RuleSet } from '../projectroles/rules';
import { createLogger } from '../app/logger';
import { createRegistry, openSiteDatabase, siteRules } from '../app/site';

/** A command's refusal, printed as it is (no stack trace), exit code 1. */
export class CommandError extends Error {}

/** Runs `work` on the site's database, then closes it; prints errors without a stack trace. */
export async function withSiteDatabase(work: (db: Database, config: Config, registry: PluginRegistry, rules: RuleSet) => Promise<void>): Promise<void> {
  let db: Database | undefined;
  try {
    // Commands serve no requests, and a migration or a large seed may rightly run long statements.
    const config = { ...loadConfig(process.env), databaseStatementTimeoutSeconds: 0 };
    // Plugins are registered (their tables count) but not started: commands serve no requests.
    const rules = siteRules(config);
    const registry = createRegistry(config, rules);
    db = await openSiteDatabase(config, createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel), registry);
    await work(db, config, registry, rules);
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof EmbeddedDatabaseLockedError || error instanceof CommandError || (error as { status?: number }).status === 400;
    console.error(known ? (error as Error).message : error);
    process.exitCode = 1;
  } finally {
    await db?.dataSource.destroy();
  }
}
