/** pino JSON logs to stdout; each request and each plugin gets a child logger. */
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Express, NextFunction, Request, Response } from 'express';
import onHeaders from 'on-headers';
import type { QueryCounter, QueryTally } from './database';

/** Longest string a log line carries per field: a 1 MB form value must not become a 1 MB log line. */
export const LOG_VALUE_MAX_CHARS = 1000;
/** Nesting followed into logged objects (error causes, driver errors); deeper parts are elided. */
const LOG_MAX_DEPTH = 8;
/** Items of an array, or fields of an object, kept per level. */
const LOG_MAX_ENTRIES = 100;

function truncated(text: string): string {
  if (text.length <= LOG_VALUE_MAX_CHARS) return text;
  return `${text.slice(0, LOG_VALUE_MAX_CHARS)}...[${text.length - LOG_VALUE_MAX_CHARS} more chars]`;
}

/** A stack keeps all its frames (each short, and bounded in number by V8); only overlong lines are cut. */
function truncatedStack(stack: string): string {
  return stack.split('\n').map(truncated).join('\n');
}

/** What JSON would make of an object: errors as pino serialises them (with their own fields), else toJSON's answer. */
function loggable(value: object): unknown {
  if (value instanceof Error) return pino.stdSerializers.err(value);
  const { toJSON } = value as { toJSON?: unknown };
  return typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
}

/**
 * A copy of `value` with every string cut to LOG_VALUE_MAX_CHARS, and no more than
 * LOG_MAX_ENTRIES entries per level, LOG_MAX_DEPTH levels deep. Errors are included: their
 * own fields (a failed query's parameters) may hold what the user sent.
 */
function truncatedValue(value: unknown, key: string, ancestors: object[]): unknown {
  if (typeof value === 'string') return key === 'stack' ? truncatedStack(value) : truncated(value);
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (ancestors.length >= LOG_MAX_DEPTH) return '[nested too deep]';
  const plain = loggable(value);
  const inner = [...ancestors, value];
  if (plain !== value) return truncatedValue(plain, key, inner);
  if (Array.isArray(value)) {
    const items = value.slice(0, LOG_MAX_ENTRIES).map((item) => truncatedValue(item, '', inner));
    return value.length > LOG_MAX_ENTRIES ? [...items, `...[${value.length - LOG_MAX_ENTRIES} more items]`] : items;
  }
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value).slice(0, LOG_MAX_ENTRIES)) copy[name] = truncatedValue(field, name, inner);
  return copy;
}

/** Whether a logged object has anything to cut: most (a request line) are flat and short, and go out as they are. */
function needsTruncation(object: Record<string, unknown>): boolean {
  for (const key in object) {
    const value = object[key];
    if ((typeof value === 'object' && value !== null) || (typeof value === 'string' && value.length > LOG_VALUE_MAX_CHARS)) return true;
  }
  return false;
}

const isLongString = (arg: unknown): boolean => typeof arg === 'string' && arg.length > LOG_VALUE_MAX_CHARS;

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
