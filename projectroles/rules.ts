/**
 * Permissions as named rules built from small predicates (SODAR's `rules.py`), e.g.
 * `example_backend_app.view_hello = isAuthenticated`. Active superusers pass every rule.
 */
import type { User } from './entities';

/** A test on the user and, for object permissions, the object (a project, say); `rules` is the set evaluating it. */
export type Predicate = (user: User | null, object?: unknown, rules?: RuleSet) => boolean | Promise<boolean>;

export const isAuthenticated: Predicate = (user) => user !== null;
export const isSuperuser: Predicate = (user) => user?.is_superuser === true;

/** Passes when every predicate passes (evaluated in order, stopping at the first failure). */
export function allOf(...predicates: Predicate[]): Predicate {
  return async (user, object, rules) => {
    for (const predicate of predicates) if (!(await predicate(user, object, rules))) return false;
    return true;
  };
}

/** Passes when any predicate passes. */
export function anyOf(...predicates: Predicate[]): Predicate {
  return async (user, object, rules) => {
    for (const predicate of predicates) if (await predicate(user, object, rules)) return true;
    return false;
  };
}

/**
 * A predicate that is another named rule, looked up when evaluated: a plugin's static rules
 * can build on a core rule that depends on the site's state (read-only mode, say).
 */
export function ruleNamed(name: string): Predicate {
  return (user, object, rules) => {
    if (!rules) throw new Error(`Rule "${name}" referenced outside a RuleSet`);
    return rules.test(name, user, object);
  };
}

export class RuleSet {
  private readonly rules = new Map<string, Predicate>();

  /**
   * `allowAnonymous` (ALLOW_ANONYMOUS): whether anonymous users may pass any rule at all
   * (SODAR's is_allowed_anonymous); when off, every rule fails for them, whatever it says.
   */
  constructor(private readonly options: { allowAnonymous: boolean } = { allowAnonymous: false }) {}

  /** Adds a rule; names are `<app>.<permission>` and may be added once. */
  add(name: string, predicate: Predicate): void {
    if (!/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(name)) throw new Error(`Rule name "${name}" must look like app_name.permission_name`);
    if (this.rules.has(name)) throw new Error(`Rule "${name}" is already defined`);
    this.rules.set(name, predicate);
  }

  has(name: string): boolean {
    return this.rules.has(name);
  }

  /** True when `user` has permission `name` (on `object`). An unknown name is a programming error. */
  async test(name: string, user: User | null, object?: unknown): Promise<boolean> {
    const predicate = this.rules.get(name);
    if (!predicate) throw new Error(`Unknown rule "${name}"`);
    if (user?.is_superuser && user.is_active) return true;
    if (user === null && !this.options.allowAnonymous) return false;
    return predicate(user, object, this);
  }
}
