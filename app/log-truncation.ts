/**
 * Log lines of bounded size: every string cut to LOG_VALUE_MAX_CHARS, objects and arrays to
 * LOG_MAX_ENTRIES entries and LOG_MAX_DEPTH levels. pino can redact fields but not bound
 * them, and a 1 MB form value must not become a 1 MB log line.
 */
import pino from 'pino';

/** Longest string a log line carries per field: a 1 MB form value must not become a 1 MB log line. */
export const LOG_VALUE_MAX_CHARS = 1000;
/** Nesting followed into logged objects (error causes, driver errors); deeper parts are elided. */
const LOG_MAX_DEPTH = 8;
/** Items of an array, or fields of an object, kept per level. */
const LOG_MAX_ENTRIES = 100;

export function truncated(text: string): string {
  if (text.length <= LOG_VALUE_MAX_CHARS) return text;
  return `${text.slice(0, LOG_VALUE_MAX_CHARS)}...[${text.length - LOG_VALUE_MAX_CHARS} more chars]`;
}

/** A stack keeps all its frames (each short, and bounded in number by V8); only overlong lines are cut. */
function truncatedStack(stack: string): string {
  return stack.split('\n').map(truncated).join('\n');
}

/** What JSON would make of an object: errors as pino serialises them (with their own fields), else toJSON's answer. */
function loggable(value: object): unknown {
  if (value instanceof Error) return pino.stdSerializers.err(value);
  const { toJSON } = value as { toJSON?: unknown };
  return typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
}

/**
 * A copy of `value` with every string cut to LOG_VALUE_MAX_CHARS, and no more than
 * LOG_MAX_ENTRIES entries per level, LOG_MAX_DEPTH levels deep. Errors are included: their
 * own fields (a failed query's parameters) may hold what the user sent.
 */
export function truncatedValue(value: unknown, key: string, ancestors: object[]): unknown {
  if (typeof value === 'string') return key === 'stack' ? truncatedStack(value) : truncated(value);
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.includes(value)) return '[Circular]';
  if (ancestors.length >= LOG_MAX_DEPTH) return '[nested too deep]';
  const plain = loggable(value);
  const inner = [...ancestors, value];
  if (plain !== value) return truncatedValue(plain, key, inner);
  if (Array.isArray(value)) {
    const items = value.slice(0, LOG_MAX_ENTRIES).map((item) => truncatedValue(item, '', inner));
    return value.length > LOG_MAX_ENTRIES ? [...items, `...[${value.length - LOG_MAX_ENTRIES} more items]`] : items;
  }
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value).slice(0, LOG_MAX_ENTRIES)) copy[name] = truncatedValue(field, name, inner);
  return copy;
}

/** Whether a logged object has anything to cut: most (a request line) are flat and short, and go out as they are. */
export function needsTruncation(object: Record<string, unknown>): boolean {
  for (const key in object) {
    const value = object[key];
    if ((typeof value === 'object' && value !== null) || (typeof value === 'string' && value.length > LOG_VALUE_MAX_CHARS)) return true;
  }
  return false;
}

export const isLongString = (arg: unknown): boolean => typeof arg === 'string' && arg.length > LOG_VALUE_MAX_CHARS;
