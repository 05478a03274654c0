/** Starts the site: `npm start`. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from './config';
import { EmbeddedDatabaseLockedError } from './embedded-lock';
import { createLogger } from './logger';
import { embeddedPath, openSite } from './site';

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;
/** After SIGTERM, connections still open this long (live event streams, whose browsers reconnect) are closed. */
const DRAIN_DEADLINE_MS = 5000;

async function start(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel);
  const site = await openSite(config, logger);
  const { app, maintenance, db } = site;
  const server = http.createServer(app);
  const timer = setInterval(() => maintenance().catch((err: unknown) => logger.warn({ err }, 'maintenance failed')), MAINTENANCE_INTERVAL_MS);
  timer.unref();

  // SIGTERM: stop accepting, let requests in flight finish (up to DRAIN_DEADLINE_MS), close the database, exit 0.
  const stop = (signal: string) => {
    logger.info(`${signal} received: finishing requests in flight`);
    clearInterval(timer);
    server.close(() => {
      site.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'closing the database failed');
          process.exit(1);
        },
      );
    });
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), DRAIN_DEADLINE_MS).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const where = db.kind === 'embedded' ? `embedded database in ${embeddedPath(config)}` : 'PostgreSQL';
    logger.info({ port }, `Site ready at http://${config.host}:${port}/ (${where})`);
  });
}

function main(): void {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  start(config).catch((error: unknown) => {
    // A locked database is the user's situation, not a bug: the message says what to do.
    if (error instanceof EmbeddedDatabaseLockedError) console.error(`Start-up failed: ${error.message}`);
    else console.error(`Start-up failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
}

main();
