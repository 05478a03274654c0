/**
 * What a value must be to be stored, from one place. Length limits come from the entity
 * definitions (a varchar column's `length`), so a new field cannot forget its limit; text
 * that PostgreSQL cannot store (NUL) or that is not Unicode (a lone UTF-16 surrogate) is
 * refused wherever it arrives, before any handler sees it.
 */
import type { NextFunction, Request, Response } from 'express';
import type { EntitySchema } from 'typeorm';
import { BadInputError } from './errors';

/** The varchar columns of an entity with their lengths, by property name. */
export function columnLengths<T>(schema: EntitySchema<T>): ReadonlyMap<string, number> {
  const lengths = new Map<string, number>();
  for (const [name, column] of Object.entries(schema.options.columns)) {
    const length = Number((column as { length?: unknown } | undefined)?.length);
    if (Number.isInteger(length) && length > 0) lengths.set(name, length);
  }
  return lengths;
}

/** Length as PostgreSQL counts it: characters (code points), not UTF-16 units. */
function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/**
 * Throws a 400 naming the first value longer than its column. `values` maps property names
 * to what would be stored; `label` turns a property name into the field name the user knows.
 */
export function checkColumnLengths<T>(schema: EntitySchema<T>, values: Partial<Record<keyof T & string, string | null | undefined>>, label: (name: string) => string = (name) => name): void {
  const lengths = columnLengths(schema);
  for (const [name, value] of Object.entries(values) as Array<[string, string | null | undefined]>) {
    const limit = lengths.get(name);
    // value.length counts UTF-16 units, never fewer than characters: a cheap first test.
    if (limit === undefined || typeof value !== 'string' || value.length <= limit) continue;
    const count = characterCount(value);
    if (count > limit) throw new BadInputError(`${label(name)}: at most ${limit} characters (got ${count})`);
  }
}

/** Deepest nesting a request body may have; deeper ones are refused (PostgreSQL's jsonb gives up near 6,000). */
export const MAX_BODY_DEPTH = 64;

const NUL = '\u0000';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(value: string): string | null {
  if (value.includes(NUL)) return 'contains a NUL character, which cannot be stored';
  if (LONE_SURROGATE.test(value)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return null;
}

/** `title` at the top level, `extra_data.a[0]` below it. */
function childPath(parent: string, depth: number, key: string, inArray: boolean): string {
  if (inArray) return `${depth === 0 ? '' : parent}[${key}]`;
  return depth === 0 ? key : `${parent}.${key}`;
}

/**
 * The first problem in a parsed query or body: a bad string (in a value or a key) or
 * nesting deeper than MAX_BODY_DEPTH. Walks without recursion, so any depth is safe.
 */
export function inputProblem(root: unknown, rootName: string): string | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: rootName, depth: 0 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { value, path, depth } = item;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return `${path}: ${problem}`;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) return `${rootName}: nested more than ${MAX_BODY_DEPTH} levels deep`;
    for (const [key, child] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return `${rootName}: a field name ${keyProblem}`;
      pending.push({ value: child, path: childPath(path, depth, key, Array.isArray(value)), depth: depth + 1 });
    }
  }
  return null;
}

/** Middleware: 400 for a query string or body no handler could store. */
export function refuseUnstorableInput(req: Request, _res: Response, next: NextFunction): void {
  const problem = inputProblem(req.query, 'query') ?? inputProblem(req.body, 'body');
  next(problem ? new BadInputError(problem) : undefined);
}
