/**
 * Random but repeatable malformed requests for the fuzz test: a seeded generator picks the
 * route, the path parameters, the query, the body, its content type, the CSRF token and the
 * Accept header, each from values that real clients and attackers send.
 */
import type { RouteInfo } from '../../app/route-list';

/** mulberry32: small, fast and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Strings that break naive code: NUL, lone surrogates, markup, SQL, huge, path tricks. */
const NASTY_STRINGS = [
  '', ' ', 'x', 'a\u0000b', '\u0000', 'half \ud800', '\udc00 tail', '🧬', "'; DROP TABLE projectroles_user; --",
  '<script>alert(1)</script>', '../../etc/passwd', '%00', '{label}', 'project owner', 'CATEGORY', 'FOLDER',
  'admin', '-1', '0', '1e20', 'NaN', 'true', 'null', 'x'.repeat(300), 'y'.repeat(70_000),
];

const MALFORMED_PATH_VALUES = ['x', '0', '-1', '%00', '%ED%A0%80', '%F0%9F%A7%AC', '..%2F..%2F', 'a'.repeat(300), '00000000-0000-0000-0000-00000000000g', '%25'];

const QUERY_KEYS = ['page', 'q', 'parent', 'before', 'starred', 'next', 's', 'value', 'project', '__proto__', 'constructor', 'page[]'];
const PAGE_VALUES = ['1', '2', '0', '-1', '1e20', '99999999999999999999', '1.5', 'x', ''];

const FORM_FIELDS = [
  'title', 'type', 'description', 'readme', 'public_access', 'parent', 'owner', 'user', 'role', 'new_owner',
  'old_owner_role', 'status', 'delete_host_confirm', 'value', 'enabled', 'event_name', 'app', 'extra_data',
  'classified', 'status_type', 'username', 'password', 'next', 'projects', 'columns', 'roles', '__proto__',
];

/** Real values for fields, so requests also get past validation into the services. */
const FIELD_VALUES = ['project guest', 'project viewer', 'project contributor', 'project delegate', 'project owner', 'PROJECT', 'CATEGORY', '1', '0', 'true', '127.0.0.1', 'admin', 'member'];

export const ACCEPT_HEADERS = [
  undefined, 'text/html', 'application/json', '*/*', 'garbage/////', 'text/plain', ';;;', 'application/xml',
  'application/vnd.bihealth.sodar-core.projectroles+json; version=2.0',
  'application/vnd.bihealth.sodar-core.projectroles+json; version=0.1',
  'application/vnd.bihealth.sodar-core.timeline+json; version=2.0',
  'application/vnd.bihealth.sodar-core.timeline+json; version=9.9',
  'application/vnd.bihealth.sodar-core.timeline+json; version=',
];

export const WRONG_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

export interface FuzzBody {
  contentType: string | undefined;
  /** Raw text sent as is (JSON, form, XML, multipart...), or none. */
  text: string | undefined;
}

function fieldValue(random: Random, uuids: readonly string[]): string {
  const choice = random();
  if (choice < 0.35) return pick(random, uuids);
  if (choice < 0.6) return pick(random, FIELD_VALUES);
  return pick(random, NASTY_STRINGS);
}

/** A path with each `:param` replaced by a real UUID, a random one or a malformed value. */
export function fillPath(random: Random, route: RouteInfo, uuids: readonly string[], randomUuid: () => string): string {
  return route.path.replace(/:(\w+)/g, (_match, name: string) => {
    const choice = random();
    if (name === 'object_model' && choice < 0.5) return pick(random, ['Project', 'User', 'RoleAssignment', 'x', '%00']);
    if (choice < 0.6) return pick(random, uuids);
    if (choice < 0.75) return randomUuid();
    return pick(random, MALFORMED_PATH_VALUES);
  });
}

/** A lone surrogate has no UTF-8 form: it goes as the bytes a careless client would send. */
function percentEncode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

export function randomQuery(random: Random, uuids: readonly string[]): string {
  const parts: string[] = [];
  const count = Math.floor(random() * 3);
  for (let i = 0; i < count; i += 1) {
    const key = pick(random, QUERY_KEYS);
    const value = key.startsWith('page') ? pick(random, PAGE_VALUES) : fieldValue(random, uuids);
    parts.push(`${encodeURIComponent(key)}=${percentEncode(value)}`);
  }
  // Repeated keys arrive as arrays; a raw %00 and a broken escape as they are.
  if (random() < 0.1) parts.push('page=1&page=2');
  if (random() < 0.05) parts.push('q=%00&parent=%E0%A4%A');
  return parts.length ? `?${parts.join('&')}` : '';
}

function randomFields(random: Random, uuids: readonly string[], csrf: string | null): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const count = 1 + Math.floor(random() * 5);
  for (let i = 0; i < count; i += 1) fields[pick(random, FORM_FIELDS)] = fieldValue(random, uuids);
  if (csrf) fields._csrf = csrf;
  return fields;
}

function deepJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A body in one of the shapes clients get wrong: any content type, malformed, deep, huge, prototype keys. */
export function randomBody(random: Random, uuids: readonly string[], csrf: string | null, bodyLimit: number): FuzzBody {
  const fields = randomFields(random, uuids, csrf);
  const form = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const json = JSON.stringify(fields);
  const shapes: Array<() => FuzzBody> = [
    () => ({ contentType: 'application/x-www-form-urlencoded', text: form }),
    () => ({ contentType: 'application/x-www-form-urlencoded', text: `${form}&title=a&title=b&title[]=c` }),
    () => ({ contentType: 'application/json', text: json }),
    () => ({ contentType: 'application/json', text: `[${json}, ${json}]` }),
    () => ({ contentType: 'application/json', text: '{"event_name": "x", "extra_data": {"__proto__": {"polluted": true}, "constructor": {"prototype": {}}}}' }),
    () => ({ contentType: 'application/json', text: '{"title": "unterminated' }),
    () => ({ contentType: 'application/json', text: '"just a string"' }),
    () => ({ contentType: 'application/json', text: 'null' }),
    () => ({ contentType: 'application/json', text: `{"event_name": "deep", "extra_data": ${deepJson(3000 + Math.floor(random() * 3000))}}` }),
    () => ({ contentType: 'application/json', text: '{"event_name": "\\ud800", "title": "\\u0000"}' }),
    () => ({ contentType: 'application/json; charset=latin-9', text: json }),
    () => ({ contentType: 'text/plain', text: form }),
    () => ({ contentType: 'application/xml', text: '<?xml version="1.0"?><login><username>admin</username></login>' }),
    () => ({ contentType: 'multipart/form-data; boundary=xyz', text: `--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nmultipart\r\n--xyz--\r\n` }),
    () => ({ contentType: undefined, text: form }),
    () => ({ contentType: 'application/json', text: JSON.stringify({ ...fields, description: 'z'.repeat(bodyLimit) }) }),
  ];
  return pick(random, shapes)();
}
