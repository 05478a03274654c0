/**
 * The data source: a PostgreSQL server when a URL is given, else the embedded PostgreSQL
 * (PGlite) with its files in a folder. Same SQL, same migrations on both.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import v8 from 'node:v8';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Client, types as pgTypes, type QueryResult } from 'pg';
import { DataSource, type DataSourceOptions, type EntitySchema, type Logger as TypeOrmLogger, type MixedList } from 'typeorm';
import type { Logger } from 'pino';
import { lockEmbeddedFolder, type EmbeddedLock } from './embedded-lock';
import { embeddedDriver } from './embedded-pool';
import { GENERIC_PLANS, PLAN_CACHE_MODE, PLAN_INVALIDATED, withPlanMode } from './statement-plans';
import { QueryCounter, type StatementSink } from './statement-counter';

type MigrationClass = new () => object;

export interface DatabaseOptions {
  /** PostgreSQL URL, or null for the embedded database. */
  url: string | null;
  /** Folder of the embedded database, or `memory://` for a throwaway one. */
  embeddedPath: string;
  entities: MixedList<EntitySchema>;
  migrations: MigrationClass[];
  logger: Logger;
  /** PostgreSQL only (the embedded database runs in this process and cannot stall); default: NO_STATEMENT_TIMEOUT. */
  timeouts?: DatabaseTimeouts;
}

/** So that a server that stops answering (a black-holed network) costs a request seconds, not the whole outage. */
export interface DatabaseTimeouts {
  /** Waiting for a connection: a new one, or a free one of the pool. */
  connectSeconds: number;
  /** Running a statement (the server cancels it), and 1 s later waiting for any answer; 0: no limit. */
  statementSeconds: number;
}

/** For work that may rightly take long (migrations and seeds run as commands). */
export const NO_STATEMENT_TIMEOUT: DatabaseTimeouts = { connectSeconds: 5, statementSeconds: 0 };

/** Time the client waits beyond the statement timeout: a live server's own cancel comes first. */
const ANSWER_GRACE_MS = 1000;

/**
 * TypeORM's logger: failed and slow statements only. Statements are counted by the drivers
 * (statement-counter.ts), which see the ones TypeORM never hears of.
 */
class SqlLogger implements TypeOrmLogger {
  constructor(private readonly logger: Logger) {}

  logQuery(): void {}
  logQueryError(error: string | Error, query: string): void {
    this.logger.debug({ err: error, query }, 'query failed');
  }
  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ time, query }, 'slow query');
  }
  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }
  logMigration(message: string): void {
    this.logger.info(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    this.logger[level === 'log' ? 'debug' : level]({ detail: message }, 'typeorm');
  }
}

/** Called with each NOTIFY payload on a channel. */
export type NotificationHandler = (payload: string) => void;

export interface Database {
  dataSource: DataSource;
  kind: 'embedded' | 'postgres';
  queries: QueryCounter;
  /**
   * LISTENs on `channel` (notifications arrive when the notifying transaction commits, from
   * any process on a server); resolves to a function that stops listening. `onResume` runs
   * when listening resumes after the server was unreachable (notifications sent meanwhile
   * are lost); the embedded database, in this process, never goes away.
   */
  listen(channel: string, onMessage: NotificationHandler, onResume?: () => void): Promise<() => Promise<void>>;
}

const INT8_OID = 20;

/**
 * node-postgres returns bigint (count(*), bigserial) as a string, PGlite as a number.
 * Both give numbers here, per pool rather than through pg's global type table.
 */
const pgTypeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (value: string) => Number(value);
    return format === 'binary' ? pgTypes.getTypeParser(oid, 'binary') : pgTypes.getTypeParser(oid, 'text');
  },
};

const EMBEDDED_SHARED_BUFFERS = '32MB';

/**
 * V8 compiles PGlite's WebAssembly twice: quickly at first, then again, optimised, in
 * background threads, each function that has run enough (its tiering budget, default
 * 1,800,000). The start alone used up the default budget of hundreds of functions, and their
 * optimising compile competed with the start for two cores and held 50 MiB more. With a
 * budget 555 times as large that work waits until the site serves load, where it still
 * comes: the home and category lists served as many requests per second either way
 * (npm run bench), while a start to the first /readyz took 1.2 s instead of 1.8 s and
 * 180 MiB instead of 237 (npm run bench:startup).
 */
const WASM_TIERING_BUDGET = 1_000_000_000;

async function openEmbedded(embeddedPath: string): Promise<PGlite> {
  if (!embeddedPath.includes('://')) fs.mkdirSync(embeddedPath, { recursive: true });
  // Read when the module is compiled, below, so it must be set first (it is process-wide:
  // PGlite is the only WebAssembly the site runs).
  v8.setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
  return PGlite.create(embeddedPath, {
    // PGlite would send JS booleans as 't'/'f' text for untyped parameters; PostgreSQL
    // semantics need TRUE/FALSE.
    serializers: { [pgliteTypes.BOOL]: (value: unknown) => (value ? 'TRUE' : 'FALSE') },
    // PostgreSQL's default 128 MB of shared buffers is resident from the start in the wasm
    // heap (the site's RSS was 360+ MiB); the files stay cached by the OS page cache anyway.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
  });
}

/**
 * A pg client that prepares each parameterised statement once per connection (named after
 * a hash of its text) instead of having the server parse and plan it on every call: the
 * planning cost more server CPU than running most of our queries (generic plans, save
 * for statements marked PLAN_WITH_VALUES: statement-plans.ts). Statements without
 * parameters (BEGIN, COMMIT, DDL) go as they are. Every statement it sends, its own SETs
 * included, is reported to `counter` (made concrete per pool by countingClient).
 */
abstract class PreparingClient extends Client {
  /** Texts whose prepared statement went stale, with how often: each time it gets a new name. */
  private readonly stale = new Map<string, number>();
  protected abstract readonly counter: StatementSink;

  // pg's query() has a dozen overloads and no override can restate them all in TypeScript:
  // this one receives and passes on pg's own arguments, hence the casts to its signature.
  override query(...args: unknown[]): never {
    const [text, values, callback] = args;
    if (!(typeof text === 'string' && Array.isArray(values) && values.length > 0)) {
      this.counter.sent();
      const passed: unknown = (super.query as (...a: unknown[]) => unknown)(...args);
      if (passed instanceof Promise) passed.catch((error: unknown) => this.dropIfUnanswered(error));
      return passed as never;
    }
    const result = this.runPrepared(text, values).catch((error: unknown) => {
      this.dropIfUnanswered(error);
      throw error;
    });
    if (typeof callback !== 'function') return result as never;
    result.then((answer) => callback(null, answer), (error: unknown) => callback(error));
    return undefined as never;
  }

  /**
   * pg gives up on a statement unanswered within query_timeout but keeps the connection,
   * stuck behind it: every later statement would queue there. Dropping it makes the pool
   * open a fresh one (which then has the connect timeout).
   */
  private dropIfUnanswered(error: unknown): void {
    if ((error as Error | undefined)?.message === 'Query read timeout') this.connection.stream.destroy();
  }

  private runPrepared(text: string, values: unknown[]): Promise<QueryResult> {
    const set = (statement: string) => {
      this.counter.sent();
      return super.query(statement);
    };
    return withPlanMode(text, set, () => this.runNamed(text, values));
  }

  private async runNamed(text: string, values: unknown[]): Promise<QueryResult> {
    const generation = this.stale.get(text) ?? 0;
    const name = `s${createHash('sha1').update(text).digest('base64url').slice(0, 20)}_${generation}`;
    try {
      this.counter.sent();
      return await super.query({ name, text, values });
    } catch (error) {
      if ((error as { code?: unknown }).code === PLAN_INVALIDATED) this.stale.set(text, generation + 1);
      throw error;
    }
  }
}

/** PreparingClient reporting to `counter`: pg's pool makes its clients from a class. */
function countingClient(counter: StatementSink): typeof Client {
  return class extends PreparingClient {
    protected readonly counter = counter;
  };
}

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** A data source that gives up the embedded database's folder lock once closed, whoever closes it. */
class LockedDataSource extends DataSource {
  lock: EmbeddedLock | null = null;

  override async destroy(): Promise<void> {
    try {
      await super.destroy();
    } finally {
      this.lock?.release();
    }
  }
}

/** Opens the embedded database in `embeddedPath`, holding its folder's lock (none for `memory://`). */
async function openLockedEmbedded(embeddedPath: string, common: PostgresOptions, counter: StatementSink): Promise<{ embedded: PGlite; dataSource: LockedDataSource }> {
  const lock = embeddedPath.includes('://') ? null : lockEmbeddedFolder(embeddedPath);
  let embedded: PGlite | null = null;
  try {
    embedded = await openEmbedded(embeddedPath);
    await embedded.exec(GENERIC_PLANS);
    const dataSource = new LockedDataSource({ ...common, driver: embeddedDriver(embedded, counter) });
    dataSource.lock = lock;
    await dataSource.initialize();
    return { embedded, dataSource };
  } catch (error) {
    await embedded?.close().catch(() => undefined);
    lock?.release();
    throw error;
  }
}

/** node-postgres pool settings: our client, number types, and the statement timeouts. */
function poolOptions(timeouts: DatabaseTimeouts, counter: StatementSink) {
  const statementMs = timeouts.statementSeconds * 1000;
  // jit=off: a statement whose plan is estimated for thousands of rows (a generic plan of the
  // project list, with stale statistics) crossed jit_above_cost and spent 66 ms compiling,
  // each time, to run for 4 ms; the site's statements are all short.
  const settings = [`plan_cache_mode=${PLAN_CACHE_MODE}`, 'jit=off', ...(statementMs > 0 ? [`statement_timeout=${statementMs}`] : [])];
  return {
    types: pgTypeParsers,
    max: 10,
    idleTimeoutMillis: 30000,
    Client: countingClient(counter),
    options: settings.map((setting) => `-c ${setting}`).join(' '),
    // The server's statement_timeout cannot help when the server never answers: pg's own timer does.
    ...(statementMs > 0 ? { query_timeout: statementMs + ANSWER_GRACE_MS } : {}),
  };
}

/** Opens (but does not migrate) the database. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const queries = new QueryCounter();
  const common: PostgresOptions = {
    type: 'postgres',
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'app_migrations',
    synchronize: false,
    logger: new SqlLogger(options.logger),
  };
  if (options.url) {
    const url = options.url;
    const timeouts = options.timeouts ?? NO_STATEMENT_TIMEOUT;
    const { connectSeconds } = timeouts;
    const dataSource = new DataSource({ ...common, url, connectTimeoutMS: connectSeconds * 1000, extra: poolOptions(timeouts, queries) });
    await dataSource.initialize();
    const listen: Database['listen'] = (channel, onMessage, onResume) => listenOnServer({ url, connectSeconds }, channel, onMessage, onResume ?? (() => undefined), options.logger);
    return { dataSource, kind: 'postgres', queries, listen };
  }
  const { embedded, dataSource } = await openLockedEmbedded(options.embeddedPath, common, queries);
  const listen = async (channel: string, onMessage: NotificationHandler) => {
    const stop = await embedded.listen(channel, onMessage);
    return async () => stop();
  };
  return { dataSource, kind: 'embedded', queries, listen };
}

/**
 * A connection of its own that LISTENs (a pooled one would be handed to other queries);
 * when the server goes away it tries again every second, and once back calls `onResume`:
 * notifications sent in between are lost, and the listener may have to catch up.
 */
async function listenOnServer(server: { url: string; connectSeconds: number }, channel: string, onMessage: NotificationHandler, onResume: () => void, logger: Logger): Promise<() => Promise<void>> {
  let client: Client | null = null;
  let stopped = false;
  const retryLater = () => {
    if (!stopped) setTimeout(() => void connect(true), 1000).unref();
  };
  const connect = async (resuming: boolean): Promise<void> => {
    // keepAlive: a black-holed connection is noticed by TCP at last, and then retried.
    const next = new Client({ connectionString: server.url, connectionTimeoutMillis: server.connectSeconds * 1000, keepAlive: true });
    let lost = false;
    const lose = (err: unknown) => {
      if (lost) return; // a failing connection may report twice (event and rejection)
      lost = true;
      logger.warn({ err, channel }, 'LISTEN connection lost; trying again in 1 s');
      next.end().catch(() => undefined);
      retryLater();
    };
    next.on('notification', (message) => message.channel === channel && onMessage(message.payload ?? ''));
    next.on('error', lose);
    try {
      await next.connect();
      await next.query(`LISTEN "${channel}"`);
    } catch (error) {
      if (!resuming) throw error; // at start: the site does not start without its database
      return lose(error);
    }
    if (stopped) return void next.end().catch(() => undefined); // stopped while this attempt was under way
    client = next;
    if (resuming) {
      logger.info({ channel }, 'LISTEN connection back');
      onResume();
    }
  };
  await connect(false);
  return async () => {
    stopped = true;
    await client?.end();
  };
}

/**
 * Names of the migrations the migrations table does not record yet (all of them before the
 * first migration created it): what TypeORM would call pending, as it too goes by name.
 */
async function unrecordedMigrations(db: Database): Promise<string[]> {
  const expected = db.dataSource.migrations.map((migration) => migration.name ?? migration.constructor.name);
  let rows: Array<{ name: string }>;
  try {
    rows = await db.dataSource.query(`SELECT name FROM ${db.dataSource.options.migrationsTableName ?? 'migrations'}`);
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return expected;
    throw error;
  }
  const recorded = new Set(rows.map((row) => row.name));
  return expected.filter((name) => !recorded.has(name));
}

const UNDEFINED_TABLE = '42P01';

/** An arbitrary constant key: only one process at a time runs migrations on a server. */
const MIGRATION_LOCK_KEY = 7_420_001;

/** How often a process waiting for another's migrations asks again. */
const MIGRATION_LOCK_POLL_MS = 500;

/**
 * Takes the migration lock, asking again while another process holds it: one statement
 * waiting for the lock would be cancelled by the statement timeout after a few seconds.
 */
async function takeMigrationLock(lock: ReturnType<DataSource['createQueryRunner']>): Promise<void> {
  for (;;) {
    const [row]: Array<{ taken: boolean }> = await lock.query('SELECT pg_try_advisory_lock($1) AS taken', [MIGRATION_LOCK_KEY]);
    if (row?.taken) return;
    await new Promise((resolve) => setTimeout(resolve, MIGRATION_LOCK_POLL_MS));
  }
}

/**
 * Applies pending migrations, each in its own transaction. On a server several processes
 * may start at once, so they queue on an advisory lock; the embedded database has one process.
 */
export async function migrate(db: Database): Promise<void> {
  // The usual start: everything applied. One query, no lock, none of TypeORM's schema checks.
  if ((await unrecordedMigrations(db)).length === 0) return;
  if (db.kind === 'embedded') {
    await db.dataSource.runMigrations({ transaction: 'each' });
    return;
  }
  const lock = db.dataSource.createQueryRunner();
  try {
    await takeMigrationLock(lock);
    await db.dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lock.release();
  }
}

/** Null when the database answers and has every migration; otherwise why not. */
export async function readinessProblem(db: Database): Promise<string | null> {
  try {
    // One query that also proves the database answers (TypeORM's showMigrations sends several).
    return (await unrecordedMigrations(db)).length > 0 ? 'migrations pending' : null;
  } catch (error) {
    return `database unreachable: ${(error as Error).message}`;
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH',
  '57014', // statement cancelled (statement_timeout): the server is too slow or stuck right now
  '57P01', '57P02', '57P03', // admin shutdown, crash shutdown, cannot connect now
  '08000', '08001', '08003', '08006', // connection exceptions
]);

/** True when an error means "the database cannot be reached", not "the query was wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth += 1) {
    const candidate = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof candidate.code === 'string' && UNAVAILABLE_CODES.has(candidate.code)) return true;
    if (typeof candidate.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Query read timeout|embedded database is closed/i.test(candidate.message)) {
      return true;
    }
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}
