/**
 * Lets TypeORM's postgres driver talk to PGlite, the embedded PostgreSQL, through the
 * `driver` option. PGlite is a single connection, so this pool hands out one client at a
 * time: a transaction holds it until released, and every other query waits its turn
 * instead of running inside somebody else's transaction. Each statement executed (one per
 * query() call, and each plan-mode SET) is reported to a StatementSink; preparing and
 * closing a prepared statement execute nothing and do not count, as on a server, where
 * pg sends the parse with the first execution.
 */
import { EventEmitter } from 'node:events';
import { parse, protocol, type PGlite, type Results } from '@electric-sql/pglite';
import { PLAN_INVALIDATED, withPlanMode } from './statement-plans';
import type { StatementSink } from './statement-counter';

type Callback = (error: Error | null, result?: unknown) => void;
type Release = (error?: unknown) => void;

/** The part of a node-postgres result that TypeORM reads. */
interface PgStyleResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: Results['fields'];
}

const ROW_CHANGING_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

function toPgStyle(result: Results | undefined): PgStyleResult {
  if (result === undefined) return { rows: [], rowCount: 0, command: '', fields: [] };
  const command = (result as Results & { command?: string }).command ?? '';
  const changed = ROW_CHANGING_COMMANDS.has(command);
  return {
    rows: result.rows,
    rowCount: changed ? (result.affectedRows ?? 0) : result.rows.length,
    command,
    fields: result.fields,
  };
}

/** A statement parsed and described once, then bound and executed by name. */
interface PreparedStatement {
  name: string;
  paramTypes: number[];
}

/** Statements kept prepared per database; the least recently prepared go first beyond this. */
const MAX_PREPARED_STATEMENTS = 500;

/** The prepared statements of a database session, by SQL text, and the number of the next. */
interface PreparedStatements {
  byText: Map<string, PreparedStatement>;
  nextNumber: number;
}

/** Per PGlite instance: names are per database session, which every pool over it shares. */
const preparedByDatabase = new WeakMap<PGlite, PreparedStatements>();

function concatMessages(messages: Uint8Array[]): Uint8Array {
  const buffer = new Uint8Array(messages.reduce((total, m) => total + m.length, 0));
  let at = 0;
  for (const message of messages) {
    buffer.set(message, at);
    at += message.length;
  }
  return buffer;
}

class EmbeddedClient extends EventEmitter {
  private readonly prepared: PreparedStatements;

  constructor(
    private readonly db: PGlite,
    private readonly counter: StatementSink,
  ) {
    super();
    this.prepared = preparedByDatabase.get(db) ?? { byText: new Map(), nextNumber: 1 };
    preparedByDatabase.set(db, this.prepared);
  }

  /** node-postgres signature: (sql, params?, callback?), returning a promise as well. */
  async query(sql: string, params?: unknown[] | Callback, callback?: Callback): Promise<PgStyleResult> {
    const done = typeof params === 'function' ? params : callback;
    const values = Array.isArray(params) ? params : [];
    try {
      const result = await this.run(sql, values);
      done?.(null, result);
      return result;
    } catch (error) {
      done?.(error as Error);
      throw error;
    }
  }

  private async run(sql: string, values: unknown[]): Promise<PgStyleResult> {
    this.counter.sent();
    if (values.length > 0) return toPgStyle(await this.db.runExclusive(() => this.runPrepared(sql, values)));
    // Without parameters the text may hold several statements (as in migrations);
    // node-postgres then reports the last one, and so do we.
    const results = await this.db.exec(sql);
    return toPgStyle(results[results.length - 1]);
  }

  /**
   * Runs a parameterised statement as a prepared one: PGlite's query() parses and plans the
   * text on every call, in five round trips into the database; here a statement seen before
   * is bound and executed in one, with its generic plan (or planned with its values when
   * marked so). The embedded counterpart of PreparingClient on a server (statement-plans.ts).
   */
  private runPrepared(sql: string, values: unknown[]): Promise<Results> {
    const set = (statement: string) => {
      this.counter.sent();
      return this.db.execProtocolStream(protocol.serialize.query(statement), { syncToFs: false });
    };
    return withPlanMode(sql, set, () => this.bindAndExecute(sql, values));
  }

  private async bindAndExecute(sql: string, values: unknown[]): Promise<Results> {
    const statement = this.prepared.byText.get(sql) ?? (await this.prepare(sql));
    const serialized = values.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = this.db.serializers[statement.paramTypes[i]!];
      return serializer ? serializer(value) : String(value);
    });
    const { serialize } = protocol;
    let messages;
    try {
      messages = await this.db.execProtocolStream(
        concatMessages([serialize.bind({ statement: statement.name, values: serialized }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()]),
        { syncToFs: false },
      );
    } catch (error) {
      // A table the statement reads has changed shape: prepare it afresh next time.
      if ((error as { code?: string }).code === PLAN_INVALIDATED) await this.forget(sql);
      throw error;
    }
    if (!this.db.isInTransaction()) await this.db.syncToFs();
    return parse.parseResults(messages, this.db.parsers)[0]!;
  }

  private async prepare(sql: string): Promise<PreparedStatement> {
    const { serialize } = protocol;
    const name = `embedded_${this.prepared.nextNumber++}`;
    const messages = await this.db.execProtocolStream(concatMessages([serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()]), { syncToFs: false });
    const statement = { name, paramTypes: parse.parseDescribeStatementResults(messages) };
    this.prepared.byText.set(sql, statement);
    if (this.prepared.byText.size > MAX_PREPARED_STATEMENTS) await this.forget(this.prepared.byText.keys().next().value!);
    return statement;
  }

  private async forget(sql: string): Promise<void> {
    const statement = this.prepared.byText.get(sql);
    if (!statement) return;
    this.prepared.byText.delete(sql);
    const { serialize } = protocol;
    await this.db.execProtocolStream(concatMessages([serialize.close({ type: 'S', name: statement.name }), serialize.sync()]), { syncToFs: false, throwOnError: false });
  }
}

/** A pg.Pool look-alike of size one over a PGlite instance. */
export class EmbeddedPool extends EventEmitter {
  private readonly client: EmbeddedClient;
  private readonly waiting: Array<() => void> = [];
  private busy = false;

  constructor(
    private readonly db: PGlite,
    counter: StatementSink,
  ) {
    super();
    this.client = new EmbeddedClient(db, counter);
  }

  connect(callback: (error: Error | null, client: EmbeddedClient | null, release: Release) => void): void {
    this.acquire().then(
      () => callback(null, this.client, () => this.release()),
      (error: Error) => callback(error, null, () => undefined),
    );
  }

  async query(sql: string, params?: unknown[] | Callback, callback?: Callback): Promise<PgStyleResult> {
    await this.acquire();
    try {
      return await this.client.query(sql, params, callback);
    } finally {
      this.release();
    }
  }

  end(callback?: (error?: Error) => void): void {
    this.db.close().then(
      () => callback?.(),
      (error: Error) => callback?.(error),
    );
  }

  private acquire(): Promise<void> {
    if (this.db.closed) return Promise.reject(new Error('The embedded database is closed'));
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.busy = false;
  }
}

/** The object TypeORM expects as `driver`: a module with a Pool class bound to `db`, counting in `counter`. */
export function embeddedDriver(db: PGlite, counter: StatementSink): { Pool: new () => EmbeddedPool } {
  return {
    Pool: class extends EmbeddedPool {
      constructor() {
        super(db, counter);
      }
    },
  };
}
