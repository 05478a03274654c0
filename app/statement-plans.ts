/**
 * How parameterised statements are planned, on both databases (PreparingClient on a
 * server, the embedded pool on PGlite).
 */

/**
 * Every parameterised statement is prepared once per connection and runs one generic plan
 * (plan_cache_mode = force_generic_plan): planning costs more than running most of our
 * statements, and PostgreSQL's own choice between a generic plan and planning on every call
 * flips with whoever's values came first. A statement whose best plan depends on its values
 * (which projects of a whole tree a user sees) starts with this marker: it is planned with
 * its values on every call (still prepared: parsed once).
 */
export const PLAN_WITH_VALUES = '/* plan with values */';

/** `sql` marked to be planned with its values on every call (see PLAN_WITH_VALUES). */
export function planWithValues(sql: string): string {
  return `${PLAN_WITH_VALUES}\n${sql}`;
}

/** plan_cache_mode of every connection (see PLAN_WITH_VALUES). */
export const PLAN_CACHE_MODE = 'force_generic_plan';
export const GENERIC_PLANS = `SET plan_cache_mode = ${PLAN_CACHE_MODE}`;

/**
 * Runs before a statement marked PLAN_WITH_VALUES, and GENERIC_PLANS after it. Inside a
 * transaction that fails, its rollback undoes both.
 */
export const CUSTOM_PLANS = 'SET plan_cache_mode = force_custom_plan';

/**
 * Runs `run` (which executes `sql`), between CUSTOM_PLANS and GENERIC_PLANS when `sql` is
 * marked PLAN_WITH_VALUES; `set` runs a SET on the same connection.
 */
export async function withPlanMode<T>(sql: string, set: (statement: string) => Promise<unknown>, run: () => Promise<T>): Promise<T> {
  if (!sql.startsWith(PLAN_WITH_VALUES)) return run();
  await set(CUSTOM_PLANS);
  try {
    return await run();
  } finally {
    await set(GENERIC_PLANS).catch(() => undefined); // fails only in a failed transaction, whose rollback resets it
  }
}

/**
 * SQLSTATE feature_not_supported, as in "cached plan must not change result type": a table
 * that a prepared statement reads has changed shape since it was prepared.
 */
export const PLAN_INVALIDATED = '0A000';
