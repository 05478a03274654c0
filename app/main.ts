/** Starts the site: `npm start`. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadConfig, type Config } from './config';
import { EmbeddedDatabaseLockedError } from './embedded-lock';
import { createLogger } from './logger';
import { RequestsInFlight } from './requests-in-flight';
import { embeddedPath, openSite } from './site';
import { StartupTiming } from './startup-timing';

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;
/** After SIGTERM, requests still running this long, and live event streams (whose browsers reconnect), are cut. */
const DRAIN_DEADLINE_MS = 5000;

async function start(config: Config, timing: StartupTiming): Promise<void> {
  const logger = createLogger(config.logLevel);
  const site = await openSite(config, logger, undefined, timing);
  const { app, maintenance, db } = site;
  const requests = new RequestsInFlight();
  const server = http.createServer(requests.handler(app));
  const timer = setInterval(() => maintenance().catch((err: unknown) => logger.warn({ err }, 'maintenance failed')), MAINTENANCE_INTERVAL_MS);
  timer.unref();

  /**
   * SIGTERM: /readyz says 503 at once, and the site keeps answering (with Connection: close)
   * while requests in flight finish, up to DRAIN_DEADLINE_MS; then it stops listening, stops
   * the plugins (which ends the live streams) and closes the database, cuts what is left, and exits 0.
   */
  const stop = async (signal: string) => {
    const started = Date.now();
    logger.info(`${signal} received: finishing requests in flight`);
    clearInterval(timer);
    site.readiness.stopping = true;
    // Idle keep-alive connections stay: closing one as a client reuses it would fail that request.
    requests.beginStopping();
    await requests.settled(DRAIN_DEADLINE_MS);
    server.close();
    try {
      await site.close();
    } catch (err) {
      logger.error({ err }, 'closing the site failed');
      process.exitCode = 1;
    }
    server.closeAllConnections();
    logger.info(`Stopped ${Date.now() - started} ms after ${signal}`);
    process.exit();
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const where = db.kind === 'embedded' ? `embedded database in ${embeddedPath(config)}` : 'PostgreSQL';
    timing.mark('listening');
    logger.debug(timing.summary(), 'Start-up timings (ms)');
    logger.info({ port }, `Site ready at http://${config.host}:${port}/ (${where})`);
  });
}

function main(): void {
  const timing = new StartupTiming();
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  start(config, timing).catch((error: unknown) => {
    // A locked database is the user's situation, not a bug: the message says what to do.
    if (error instanceof EmbeddedDatabaseLockedError) console.error(`Start-up failed: ${error.message}`);
    else console.error(`Start-up failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  });
}

main();
