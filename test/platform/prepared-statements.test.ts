/**
 * Parameterised statements run as prepared statements on both databases (PreparingClient on
 * a server, EmbeddedClient on PGlite): values of every type we send must arrive intact, a
 * failed execution must not break the statement, and a table that changes shape under a
 * prepared `SELECT *` must be answered again once the error has been seen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { QueryRunner } from 'typeorm';
import { openDatabase, type Database } from '../../app/database';
import { planWithValues } from '../../app/statement-plans';
import { createTestDatabase, type TestDatabaseLocation } from '../helpers/database';

describe('prepared statements', () => {
  let location: TestDatabaseLocation;
  let db: Database;
  // One connection, so the statement is prepared where it runs again (a server pool has ten).
  let runner: QueryRunner;

  before(async () => {
    location = await createTestDatabase();
    db = await openDatabase({ url: location.url, embeddedPath: `${location.dataDir}/db`, entities: [], migrations: [], logger: pino({ level: 'silent' }) });
    runner = db.dataSource.createQueryRunner();
    await runner.query('CREATE TABLE sample (id serial PRIMARY KEY, flag boolean, doc jsonb, ids int[], at timestamptz, label text UNIQUE)');
  });
  after(async () => {
    await runner.release();
    await db.dataSource.destroy();
    await location.remove();
  });

  it('sends booleans, JSON, arrays, dates, text and nulls intact, each time', async () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    for (const [label, flag] of [['first', true], ['second', false]] as const) {
      await runner.query('INSERT INTO sample (flag, doc, ids, at, label) VALUES ($1, $2, $3, $4, $5)', [flag, { nested: { label } }, [1, 2, 3], at, label]);
    }
    await runner.query('INSERT INTO sample (flag, doc, ids, at, label) VALUES ($1, $2, $3, $4, $5)', [null, null, null, null, 'third']);
    const rows = await runner.query('SELECT flag, doc, ids, at, label FROM sample WHERE id > $1 ORDER BY id', [0]);
    assert.deepEqual(
      rows.map((r: { at: Date | null }) => ({ ...r, at: r.at?.toISOString() ?? null })),
      [
        { flag: true, doc: { nested: { label: 'first' } }, ids: [1, 2, 3], at: at.toISOString(), label: 'first' },
        { flag: false, doc: { nested: { label: 'second' } }, ids: [1, 2, 3], at: at.toISOString(), label: 'second' },
        { flag: null, doc: null, ids: null, at: null, label: 'third' },
      ],
    );
  });

  it('keeps a statement usable after it failed once', async () => {
    const insert = 'INSERT INTO sample (label) VALUES ($1) RETURNING label';
    await assert.rejects(runner.query(insert, ['first']), (error: { driverError?: { code?: string } }) => error.driverError?.code === '23505');
    assert.deepEqual(await runner.query(insert, ['fourth']), [{ label: 'fourth' }]);
  });

  it('answers a prepared SELECT * again after its table gained a column', async () => {
    const select = 'SELECT * FROM sample WHERE label = $1';
    assert.deepEqual(Object.keys((await runner.query(select, ['first']))[0]), ['id', 'flag', 'doc', 'ids', 'at', 'label']);
    await runner.query('ALTER TABLE sample ADD COLUMN extra text');
    // PostgreSQL refuses the old plan once ("cached plan must not change result type"),
    // and the statement is prepared afresh on the next call.
    await assert.rejects(runner.query(select, ['first']), (error: { driverError?: { code?: string } }) => error.driverError?.code === '0A000');
    const answer = await runner.query(select, ['first']);
    assert.deepEqual(Object.keys(answer[0]), ['id', 'flag', 'doc', 'ids', 'at', 'label', 'extra']);
  });

  it('keeps answering when more distinct statements come than it keeps prepared', async () => {
    const nth = (i: number) => runner.query(`SELECT $1::int + ${i} AS n`, [1]);
    for (let i = 0; i < 600; i += 1) assert.deepEqual(await nth(i), [{ n: i + 1 }]);
    assert.deepEqual(await nth(0), [{ n: 1 }], 'the first, closed to make room, is prepared again');
  });

  it('runs prepared statements with generic plans, and marked ones planned with their values', async () => {
    const mode = (sql: string) => runner.query(sql, [1]).then((rows: Array<{ mode: string }>) => rows[0]?.mode);
    const prepared = "SELECT current_setting('plan_cache_mode') AS mode WHERE $1::int = 1";
    assert.equal(await mode(prepared), 'force_generic_plan');
    assert.equal(await mode(planWithValues(prepared)), 'force_custom_plan');
    assert.equal(await mode(prepared), 'force_generic_plan', 'the setting is back after the marked statement');
    await runner.startTransaction();
    await assert.rejects(runner.query(planWithValues('SELECT 1 / ($1::int - 1)'), [1]));
    await runner.rollbackTransaction();
    assert.equal(await mode(prepared), 'force_generic_plan', 'and after a marked statement failed in a transaction');
  });
});
