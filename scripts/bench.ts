/**
 * `npm run bench -- [--users N] [--projects N] [--categories N] [--viewer-projects N]
 *                  [--events N] [--duration S] [--connections C] [--only TEXT] [--json]
 *                  [--cpu-prof DIR]`
 * Seeds a throwaway database (embedded, or a new one on the server in BENCH_DATABASE_URL),
 * starts the site as its own process, loads each endpoint with autocannon and prints
 * requests/s, p50 and p99 next to a bare Express route measured in the same run, and the
 * SQL statements one request sends as counted by the driver (X-Query-Count): warm (caches
 * hot) and cold (the request comes after the session, user and plugin-state caches expired).
 * Timeline endpoints get --events events spread over the projects (100,000 by default).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../app/config';
import { createLogger } from '../app/logger';
import { announceFirstSuperuser, createRegistry, openSiteDatabase, siteRules } from '../app/site';
import { UserEntity, type Project } from '../projectroles/entities';
import { assignRole } from '../projectroles/projects';
import { seedDemoUsers, seedLoadProjects, seedLoadUsers } from '../projectroles/seed';
import { createUser } from '../projectroles/users';
import { seedBulkEvents } from '../timeline/seed';
import { createServerDatabase } from './throwaway-database';

const ADMIN_PASSWORD = 'bench-admin-password';

interface Endpoint {
  name: string;
  /**
   * Path, with {category} and {project} standing for a category and a project the viewer
   * sees, {event} for an event of that project and {postProject} for another project.
   */
  path: string;
  /** Which server answers it. */
  target: 'bare' | 'site';
  /** Who asks: nobody, the admin, or the viewer (a user who sees --viewer-projects projects). */
  as: 'anonymous' | 'admin' | 'viewer';
  /** A POST of a JSON body, each request with a body of its own (`n` counts them), recording `events` events. */
  post?: { accept: string; body: (n: number) => unknown; events: number };
}

interface Row {
  endpoint: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Statements of a request with the caches hot (X-Query-Count: every statement the driver sent). */
  sql_queries: number | null;
  /** Statements of a request after the caches expired (CROSS_PROCESS_DELAY_SECONDS). */
  sql_cold: number | null;
  vs_bare: number;
  /** For endpoints that record an event per request: events recorded per second. */
  events_per_s?: number;
}

const TIMELINE_MEDIA_TYPE = 'application/vnd.bihealth.sodar-core.timeline+json; version=2.0';

/** The list later issues extend with their endpoints. */
/** Events per request of the batch row (scripts recording many events send them together). */
const BATCH = 20;
// A description of its own per event: identical events would be grouped as repeats.
const benchEvent = (n: number) => ({ event_name: 'bench_event', description: `bench event ${n}`, status_type: 'OK', extra_data: { n } });

const ENDPOINTS: Endpoint[] = [
  { name: 'bare Express route', path: '/bare', target: 'bare', as: 'anonymous' },
  { name: 'GET /login', path: '/login', target: 'site', as: 'anonymous' },
  { name: 'GET / (home, logged in)', path: '/', target: 'site', as: 'admin' },
  { name: 'GET /readyz', path: '/readyz', target: 'site', as: 'anonymous' },
  { name: 'GET /example_backend_app/ajax/hello (logged in)', path: '/example_backend_app/ajax/hello', target: 'site', as: 'admin' },
  { name: 'GET /project/ajax/list (home list, viewer)', path: '/project/ajax/list', target: 'site', as: 'viewer' },
  { name: 'GET /project/ajax/list?parent= (category, viewer)', path: '/project/ajax/list?parent={category}', target: 'site', as: 'viewer' },
  // The admin owns every seeded project: a user holding thousands of roles.
  { name: 'GET /project/ajax/list (home list, admin)', path: '/project/ajax/list', target: 'site', as: 'admin' },
  { name: 'GET /project/<uuid> (project detail, viewer)', path: '/project/{project}', target: 'site', as: 'viewer' },
  { name: 'GET /project/members/<uuid> (members, viewer)', path: '/project/members/{project}', target: 'site', as: 'viewer' },
  { name: 'GET /timeline/<uuid> (project timeline, viewer)', path: '/timeline/{project}', target: 'site', as: 'viewer' },
  { name: 'GET /timeline/ajax/detail/<event> (event detail, viewer)', path: '/timeline/ajax/detail/{event}', target: 'site', as: 'viewer' },
  {
    name: 'POST /timeline/api/create/<uuid> (addEvent over HTTP, admin)',
    path: '/timeline/api/create/{postProject}',
    target: 'site',
    as: 'admin',
    post: { accept: TIMELINE_MEDIA_TYPE, body: benchEvent, events: 1 },
  },
  {
    name: `POST /timeline/api/create/<uuid> (addEvent over HTTP, batches of ${BATCH}, admin)`,
    path: '/timeline/api/create/{postProject}',
    target: 'site',
    as: 'admin',
    post: { accept: TIMELINE_MEDIA_TYPE, body: (n) => Array.from({ length: BATCH }, (_, i) => benchEvent(n * BATCH + i)), events: BATCH },
  },
];

const VIEWER = { username: 'benchviewer', password: 'bench-viewer-password' };

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000' },
    projects: { type: 'string', default: '10000' },
    categories: { type: 'string', default: '200' },
    /** The viewer gets a guest role in enough categories to see about this many projects. */
    'viewer-projects': { type: 'string', default: '500' },
    /** Timeline events spread over the projects; default 100,000 when a timeline endpoint is measured, else none. */
    events: { type: 'string', default: '' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
    /** Only endpoints whose name contains this text, or one of several separated by | (the bare route is always measured). */
    only: { type: 'string', default: '' },
    /** A folder for the site's CPU profile (.cpuprofile, for Chrome DevTools), written when the bench ends. */
    'cpu-prof': { type: 'string', default: '' },
  },
});

const say = (message: string) => {
  if (!values.json) console.log(message);
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function spawnTsx(script: string, args: string[], env: Record<string, string>, nodeFlags: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Node flags that write the site's CPU profile into --cpu-prof's folder when it stops. */
function profileFlags(): string[] {
  return values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values['cpu-prof'])}`] : [];
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 30 s`);
}

/** A throwaway database: a new one on BENCH_DATABASE_URL's server, or an embedded folder. */
async function throwawayDatabase(dataDir: string): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl) return { env: { DATA_DIR: dataDir }, drop: async () => undefined };
  const { url, drop } = await createServerDatabase(serverUrl, `sodar_bench_${process.pid}`);
  return { env: { DATA_DIR: dataDir, DATABASE_URL: url }, drop };
}

/** What the endpoint paths stand for: see Endpoint.path. */
interface Seen {
  category: string;
  project: string;
  event: string;
  postProject: string;
}

/**
 * Timeline events over every load project, by the admin and the first load users; returns
 * the newest event of `projectUuid` the viewer may open (not classified) and a project
 * for new events away from the one the viewer reads.
 */
async function seedEvents(ds: DataSource, count: number, projectUuid: string): Promise<Pick<Seen, 'event' | 'postProject'>> {
  const projectIds = (await ds.query("SELECT id FROM projectroles_project WHERE type = 'PROJECT' AND title LIKE 'Load project %' ORDER BY id")).map((r: { id: number }) => r.id);
  const userIds = (await ds.query("SELECT id FROM projectroles_user WHERE username = 'admin' OR username LIKE 'user0000%' ORDER BY id LIMIT 50")).map((r: { id: number }) => r.id);
  const started = Date.now();
  await seedBulkEvents(ds, { events: count, projectIds, userIds });
  say(`  seeded ${count} timeline events over ${projectIds.length} projects in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const [event]: Array<{ sodar_uuid: string }> = await ds.query(
    'SELECT e.sodar_uuid FROM timeline_event e JOIN projectroles_project p ON p.id = e.project_id WHERE p.sodar_uuid = $1 AND NOT e.classified ORDER BY e.sort_key DESC LIMIT 1',
    [projectUuid],
  );
  const [post]: Array<{ sodar_uuid: string }> = await ds.query("SELECT sodar_uuid FROM projectroles_project WHERE type = 'PROJECT' AND title LIKE 'Load project %' ORDER BY title DESC LIMIT 1");
  return { event: event?.sodar_uuid ?? '', postProject: post?.sodar_uuid ?? '' };
}

/** Seeds users, projects, the viewer and `events` timeline events; returns what the paths stand for. */
async function seed(env: Record<string, string>, events: number): Promise<Seen> {
  // Seeding writes in bulk: no statement limit, as for the seed command.
  const config = { ...loadConfig({ ...env, ADMIN_PASSWORD, LOG_LEVEL: 'error' }), databaseStatementTimeoutSeconds: 0 };
  const logger = createLogger(config.logLevel); // quiet: --json output must stay parseable
  const db = await openSiteDatabase(config, logger, createRegistry(config, siteRules(config)));
  const ds = db.dataSource;
  try {
    await announceFirstSuperuser(db, config, logger);
    await seedDemoUsers(ds, 'sodar-demo');
    await seedLoadUsers(ds, Number(values.users), 'sodar-demo', (done, total) => say(`  seeded ${done}/${total} users`));
    const admin = (await ds.getRepository(UserEntity).findOneBy({ username: 'admin' }))!;
    const categories = Number(values.categories);
    await seedLoadProjects(ds, { categories, projects: Number(values.projects), ownerId: admin.id });
    say(`  seeded ${values.projects} projects in ${categories} categories`);
    const viewer = await createUser(ds, { username: VIEWER.username, email: '', password: VIEWER.password });
    const perCategory = Math.max(1, Math.floor(Number(values.projects) / categories));
    const seen: Project[] = await ds.query(
      "SELECT * FROM projectroles_project WHERE parent_id IS NULL AND title LIKE 'Load category %' ORDER BY title LIMIT $1",
      [Math.ceil(Number(values['viewer-projects']) / perCategory)],
    );
    for (const category of seen) await assignRole(ds, category, viewer, 'project guest');
    const [project]: Array<{ sodar_uuid: string }> = await ds.query('SELECT sodar_uuid FROM projectroles_project WHERE parent_id = $1 ORDER BY title LIMIT 1', [seen[0]!.id]);
    say(`  the viewer is a guest in ${seen.length} categories (${seen.length * perCategory} projects)`);
    const timeline = events > 0 ? await seedEvents(ds, events, project!.sodar_uuid) : { event: '', postProject: '' };
    return { category: seen[0]!.sodar_uuid, project: project!.sodar_uuid, ...timeline };
  } finally {
    await ds.destroy();
  }
}

/** A logged-in browser: its cookies (session and CSRF) and the CSRF token to repeat. */
interface Login {
  cookie: string;
  csrfToken: string;
}

/** Keeps the last value of each cookie the answers set. */
function rememberCookies(jar: Map<string, string>, res: Response): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}

async function logIn(baseUrl: string, username: string, password: string): Promise<Login> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const page = await fetch(`${baseUrl}/login`);
  rememberCookies(jar, page);
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const body = new URLSearchParams({ username, password, _csrf: token, next: '/' });
  const res = await fetch(`${baseUrl}/login`, { method: 'POST', body, headers: { cookie: cookieHeader() }, redirect: 'manual' });
  rememberCookies(jar, res);
  if (res.status !== 302 || !jar.has('sodar_session')) throw new Error(`bench login failed with ${res.status}`);
  return { cookie: cookieHeader(), csrfToken: jar.get('csrftoken') ?? token };
}

/** Headers of `endpoint`'s requests: the user's cookies, and for POSTs the CSRF token and media types. */
function headersFor(endpoint: Endpoint, login: Login | null): Record<string, string> {
  if (!login) return {};
  if (!endpoint.post) return { cookie: login.cookie };
  return { cookie: login.cookie, 'x-csrftoken': login.csrfToken, 'content-type': 'application/json', accept: endpoint.post.accept };
}

/** Numbers the POST bodies of a whole run, so that no two are alike (alike events would be grouped as repeats). */
type BodyNumbers = () => number;

function bodyNumbers(): BodyNumbers {
  let sent = 0;
  return () => (sent += 1);
}

/** Autocannon options that give each POST a body of its own. */
function requestsFor(endpoint: Endpoint, next: BodyNumbers): Pick<autocannon.Options, 'method' | 'requests'> {
  const post = endpoint.post;
  if (!post) return {};
  return { method: 'POST', requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: JSON.stringify(post.body(next())) }) }] };
}

async function measure(url: string, headers: Record<string, string>, endpoint: Endpoint, next: BodyNumbers): Promise<{ rps: number; p50: number; p99: number }> {
  const connections = Number(values.connections);
  // Unrecorded load first, so the JIT and caches are warm as in a running site.
  await autocannon({ url, headers, connections, duration: 3, ...requestsFor(endpoint, next) });
  const result = await autocannon({ url, headers, connections, duration: Number(values.duration), ...requestsFor(endpoint, next) });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** How long the site may serve sessions, users and plugin states from its caches (its CROSS_PROCESS_DELAY_SECONDS). */
const CACHE_SECONDS = 2;

/**
 * SQL statements of one request cold, after waiting past the cache lifetime, and of the
 * next one, warm (the first refilled the caches). The plugin-state refresh a cold request
 * starts runs in the background and counts in no request.
 */
async function queriesPerRequest(url: string, headers: Record<string, string>, endpoint: Endpoint, next: BodyNumbers): Promise<{ warm: number | null; cold: number | null }> {
  const send = async () => {
    const res = await fetch(url, endpoint.post ? { method: 'POST', headers, body: JSON.stringify(endpoint.post.body(next())) } : { headers });
    if (!res.ok) throw new Error(`${url}: answered ${res.status} ${(await res.text()).slice(0, 200)}`);
    const header = res.headers.get('x-query-count');
    return header === null ? null : Number(header);
  };
  if (endpoint.target === 'bare') return { warm: null, cold: null };
  await new Promise((resolve) => setTimeout(resolve, CACHE_SECONDS * 1000 + 250));
  const cold = await send();
  return { cold, warm: await send() };
}

const countCell = (count: number | null) => (count === null ? '-' : String(count));

function printTable(rows: Row[]): void {
  const header = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'SQL warm', 'SQL cold', 'vs bare'];
  const lines = rows.map((r) => [r.endpoint, r.rps.toFixed(0), r.p50_ms.toFixed(1), r.p99_ms.toFixed(1), countCell(r.sql_queries), countCell(r.sql_cold), `${(r.vs_bare * 100).toFixed(0)}%`]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
  console.log(`SQL: statements one request sends, counted by the driver; cold: after the ${CACHE_SECONDS} s caches expired`);
  console.log('(a cold request also starts the background refresh of plugin states and SITE settings: 2 statements more, in no request\'s count).');
  for (const row of rows) if (row.events_per_s !== undefined) console.log(`${row.endpoint}: ${row.events_per_s.toFixed(0)} events/s`);
}

/** --events, or 100,000 when a timeline endpoint is measured and none otherwise. */
function eventCount(chosen: Endpoint[]): number {
  if (values.events !== '') return Number(values.events);
  return chosen.some((e) => e.path.startsWith('/timeline/')) ? 100_000 : 0;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-bench-'));
  const database = await throwawayDatabase(dataDir);
  const children: ChildProcess[] = [];
  try {
    const chosen = ENDPOINTS.filter((e) => e.target === 'bare' || values.only.split('|').some((text) => e.name.includes(text)));
    const events = eventCount(chosen);
    say(`Seeding ${values.users} users, ${values.projects} projects and ${events} timeline events...`);
    const seen = await seed(database.env, events);
    const [sitePort, barePort] = [await freePort(), await freePort()];
    const siteEnv = { ...database.env, PORT: String(sitePort), LOG_LEVEL: 'warn', QUERY_COUNT_HEADER: 'true', PLUGIN_DIRS: '', CROSS_PROCESS_DELAY_SECONDS: String(CACHE_SECONDS) };
    children.push(spawnTsx('app/main.ts', [], siteEnv, profileFlags()), spawnTsx('scripts/bench-bare.ts', [String(barePort)], {}));
    const bases = { site: `http://127.0.0.1:${sitePort}`, bare: `http://127.0.0.1:${barePort}` };
    await Promise.all([waitFor(`${bases.site}/healthz`), waitFor(`${bases.bare}/bare`)]);
    const logins = {
      anonymous: null,
      admin: await logIn(bases.site, 'admin', ADMIN_PASSWORD),
      viewer: await logIn(bases.site, VIEWER.username, VIEWER.password),
    };

    const rows: Row[] = [];
    const next = bodyNumbers();
    for (const endpoint of chosen) {
      const path = endpoint.path.replace(/\{(category|project|event|postProject)\}/g, (_match, key: keyof Seen) => {
        if (!seen[key]) throw new Error(`${endpoint.name} needs timeline events: run with --events above 0`);
        return seen[key];
      });
      const url = bases[endpoint.target] + path;
      const headers = headersFor(endpoint, logins[endpoint.as]);
      say(`Loading ${endpoint.name} for ${values.duration} s...`);
      const sql = await queriesPerRequest(url, headers, endpoint, next);
      const { rps, p50, p99 } = await measure(url, headers, endpoint, next);
      const row: Row = { endpoint: endpoint.name, rps, p50_ms: p50, p99_ms: p99, sql_queries: sql.warm, sql_cold: sql.cold, vs_bare: rps / (rows[0]?.rps ?? rps) };
      if (endpoint.post) row.events_per_s = rps * endpoint.post.events; // each answered request (201) recorded them all
      rows.push(row);
    }
    if (values.json) console.log(JSON.stringify(rows, null, 2));
    else printTable(rows);
  } finally {
    // Waits for the site to stop: it writes its CPU profile on the way out.
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve).kill('SIGTERM') : resolve(null)))));
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
