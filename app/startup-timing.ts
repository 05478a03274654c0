/**
 * Where a start's time goes: named phases in milliseconds, logged once the site is ready
 * (at debug level), so a slow start can be told apart without a profiler.
 */
export class StartupTiming {
  private last = performance.now();
  /** Time since the process began (node's own start and loading the modules included). */
  readonly sinceProcessStart: Record<string, number> = {};
  readonly phases: Record<string, number> = {};

  constructor() {
    this.sinceProcessStart.modulesLoaded = Math.round(this.last);
  }

  /** Ends the phase running since the last mark (or since construction). */
  mark(phase: string): void {
    const now = performance.now();
    this.phases[phase] = Math.round(now - this.last);
    this.last = now;
  }

  /** The phases, and the total since the process began. */
  summary(): Record<string, unknown> {
    return { ...this.sinceProcessStart, phases: this.phases, totalMs: Math.round(performance.now()) };
  }
}
