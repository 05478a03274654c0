/** A value a test's own setup made (an actor's agent, a route of its table), or a failure naming what is missing. */
export function present<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`test setup: no ${what}`);
  return value;
}
