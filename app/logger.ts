/** pino JSON logs to stdout; each request and each plugin gets a child logger. */
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Express, NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';
import type { QueryCounter, QueryTally } from './statement-counter';
import { isLongString, needsTruncation, truncated, truncatedValue } from './log-truncation';

/** `destination`: where lines go (stdout unless given; tests pass a stream they read). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { app: 'sodar-core-ts' },
    formatters: { log: (object: Record<string, unknown>) => (needsTruncation(object) ? (truncatedValue(object, '', []) as Record<string, unknown>) : object) },
    hooks: {
      // The message is not part of the object formatters.log sees.
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...args: unknown[]) => void) {
        method.apply(this, args.some(isLongString) ? args.map((arg) => (isLongString(arg) ? truncated(arg as string) : arg)) : args);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * `req.log`: a child logger carrying the request id, made on first use (most requests never
 * log anything of their own). A getter on the request prototype, not on each request, so
 * request objects keep their fast shape.
 */
export function installRequestLog(app: Express, logger: Logger): void {
  const cache = new WeakMap<Request, Logger>();
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      let child = cache.get(this);
      if (!child) cache.set(this, (child = logger.child({ req_id: this.id })));
      return child;
    },
  });
}

/** The URL as logged: a query string on /login may carry a password (`?password=...`), so it is left out. */
function loggedUrl(url: string): string {
  const query = url.indexOf('?');
  if (query < 0 || !/^\/login(\/|$)/i.test(url.slice(0, query))) return url;
  return `${url.slice(0, query)}?[query left out]`;
}

/**
 * Gives each request an id (kept from X-Request-Id when sane) and logs it when it ends,
 * with its SQL statement count; `queryCountHeader` also sends that count as X-Query-Count.
 */
export function requestLogger(logger: Logger, queries: QueryCounter, queryCountHeader: boolean) {
  const logRequests = logger.isLevelEnabled('info');
  return (req: Request, res: Response, next: NextFunction): void => {
    const tally: QueryTally = { count: 0 };
    const given = req.get('x-request-id');
    const id = given && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    if (logRequests) {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const fields = { method: req.method, url: loggedUrl(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10, sql: tally.count };
        logger.info({ req_id: id, ...fields }, 'request');
      });
    }
    if (queryCountHeader) onHeaders(res, () => res.setHeader('X-Query-Count', String(tally.count)));
    queries.track(tally, next);
  };
}
