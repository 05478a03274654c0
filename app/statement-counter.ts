/**
 * Counts the SQL statements the drivers send to the database, in total and per unit of work
 * (a request), so that benchmarks and tests report and assert what reaches the database:
 * TypeORM's own statements, the plan-mode SETs around statements planned with their values,
 * BEGIN and COMMIT, and whatever else goes to the driver. The drivers (PreparingClient on a
 * server, the embedded pool on PGlite) call `sent()` once per statement they execute.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** A count of SQL statements sent while some unit of work (a request) ran. */
export interface QueryTally {
  count: number;
}

/** What a driver reports to: one call per statement it sends. */
export interface StatementSink {
  sent(): void;
}

export class QueryCounter implements StatementSink {
  /** Every statement sent by this process's pool, in requests or not (start-up, background refreshes). */
  count = 0;
  private readonly current = new AsyncLocalStorage<QueryTally>();

  /** Runs `work` so that statements it sends, however deep in async code, count in `tally`. */
  track<T>(tally: QueryTally, work: () => T): T {
    return this.current.run(tally, work);
  }

  sent(): void {
    this.count += 1;
    const tally = this.current.getStore();
    if (tally) tally.count += 1;
  }
}
