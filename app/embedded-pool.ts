/**
 * Lets TypeORM's postgres driver talk to PGlite, the embedded PostgreSQL, through the
 * `driver` option. PGlite is a single connection, so this pool hands out one client at a
 * time: a transaction holds it until released, and every other query waits its turn
 * instead of running inside somebody else's transaction.
 */
import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';

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

class EmbeddedClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
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
    if (values.length > 0) return toPgStyle(await this.db.query(sql, values));
    // Without parameters the text may hold several statements (as in migrations);
    // node-postgres then reports the last one, and so do we.
    const results = await this.db.exec(sql);
    return toPgStyle(results[results.length - 1]);
  }
}

/** A pg.Pool look-alike of size one over a PGlite instance. */
export class EmbeddedPool extends EventEmitter {
  private readonly client: EmbeddedClient;
  private readonly waiting: Array<() => void> = [];
  private busy = false;

  constructor(private readonly db: PGlite) {
    super();
    this.client = new EmbeddedClient(db);
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

/** The object TypeORM expects as `driver`: a module with a Pool class bound to `db`. */
export function embeddedDriver(db: PGlite): { Pool: new () => EmbeddedPool } {
  return {
    Pool: class extends EmbeddedPool {
      constructor() {
        super(db);
      }
    },
  };
}
