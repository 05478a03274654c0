/**
 * `npm run bench -- [--users N] [--projects N] [--categories N] [--viewer-projects N]
 *                  [--duration S] [--connections C] [--only TEXT] [--json]`
 * Seeds a throwaway database (embedded, or a new one on the server in BENCH_DATABASE_URL),
 * starts the site as its own process, loads each endpoint with autocannon and prints
 * requests/s, p50 and p99 next to a bare Express route measured in the same run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { loadConfig } from '../app/config';
import { createLogger } from '../app/logger';
import { announceFirstSuperuser, createRegistry, openSiteDatabase } from '../app/site';
import { RuleSet } from '../projectroles/rules';
import { UserEntity, type Project } from '../projectroles/entities';
import { assignRole } from '../projectroles/projects';
import { seedDemoUsers, seedLoadProjects, seedLoadUsers } from '../projectroles/seed';
import { createUser } from '../projectroles/users';

const ADMIN_PASSWORD = 'bench-admin-password';

interface Endpoint {
  name: string;
  /** Path, with {category} and {project} standing for a category and a project the viewer sees. */
  path: string;
  /** Which server answers it. */
  target: 'bare' | 'site';
  /** Who asks: nobody, the admin, or the viewer (a user who sees --viewer-projects projects). */
  as: 'anonymous' | 'admin' | 'viewer';
}

interface Row {
  endpoint: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  sql_queries: number | null;
  vs_bare: number;
}

/** The list later issues extend with their endpoints. */
const ENDPOINTS: Endpoint[] = [
  { name: 'bare Express route', path: '/bare', target: 'bare', as: 'anonymous' },
  { name: 'GET /login', path: '/login', target: 'site', as: 'anonymous' },
  { name: 'GET / (home, logged in)', path: '/', target: 'site', as: 'admin' },
  { name: 'GET /readyz', path: '/readyz', target: 'site', as: 'anonymous' },
  { name: 'GET /example_backend_app/ajax/hello (logged in)', path: '/example_backend_app/ajax/hello', target: 'site', as: 'admin' },
  { name: 'GET /project/ajax/list (home list, viewer)', path: '/project/ajax/list', target: 'site', as: 'viewer' },
  { name: 'GET /project/ajax/list?parent= (category, viewer)', path: '/project/ajax/list?parent={category}', target: 'site', as: 'viewer' },
  { name: 'GET /project/<uuid> (project detail, viewer)', path: '/project/{project}', target: 'site', as: 'viewer' },
  { name: 'GET /project/members/<uuid> (members, viewer)', path: '/project/members/{project}', target: 'site', as: 'viewer' },
];

const VIEWER = { username: 'benchviewer', password: 'bench-viewer-password' };

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '1000' },
    projects: { type: 'string', default: '10000' },
    categories: { type: 'string', default: '200' },
    /** The viewer gets a guest role in enough categories to see about this many projects. */
    'viewer-projects': { type: 'string', default: '500' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
    /** Only endpoints whose name contains this text (the bare route is always measured). */
    only: { type: 'string', default: '' },
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

function spawnTsx(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
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
  const name = `sodar_bench_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { env: { DATA_DIR: dataDir, DATABASE_URL: url.toString() }, drop: () => admin(`DROP DATABASE ${name} WITH (FORCE)`) };
}

/** Seeds users, projects and the viewer; returns a category and a project the viewer sees. */
async function seed(env: Record<string, string>): Promise<{ category: string; project: string }> {
  const config = loadConfig({ ...env, ADMIN_PASSWORD, LOG_LEVEL: 'error' });
  const logger = createLogger(config.logLevel); // quiet: --json output must stay parseable
  const db = await openSiteDatabase(config, logger, createRegistry(config, new RuleSet()));
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
    return { category: seen[0]!.sodar_uuid, project: project!.sodar_uuid };
  } finally {
    await ds.destroy();
  }
}

async function logIn(baseUrl: string, username: string, password: string): Promise<string> {
  const page = await fetch(`${baseUrl}/login`);
  const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const body = new URLSearchParams({ username, password, _csrf: token, next: '/' });
  const res = await fetch(`${baseUrl}/login`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' });
  const session = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 302 || !session) throw new Error(`bench login failed with ${res.status}`);
  return session;
}

async function measure(url: string, headers: Record<string, string>): Promise<{ rps: number; p50: number; p99: number }> {
  const connections = Number(values.connections);
  // Unrecorded load first, so the JIT and caches are warm as in a running site.
  await autocannon({ url, headers, connections, duration: 3 });
  const result = await autocannon({ url, headers, connections, duration: Number(values.duration) });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

/** SQL statements of one request in the steady state (the second of two: the first may fill caches). */
async function queriesPerRequest(url: string, headers: Record<string, string>): Promise<number | null> {
  await fetch(url, { headers });
  const header = (await fetch(url, { headers })).headers.get('x-query-count');
  return header === null ? null : Number(header);
}

function printTable(rows: Row[]): void {
  const header = ['endpoint', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'vs bare'];
  const lines = rows.map((r) => [r.endpoint, r.rps.toFixed(0), r.p50_ms.toFixed(1), r.p99_ms.toFixed(1), r.sql_queries === null ? '-' : String(r.sql_queries), `${(r.vs_bare * 100).toFixed(0)}%`]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sodar-bench-'));
  const database = await throwawayDatabase(dataDir);
  const children: ChildProcess[] = [];
  try {
    say(`Seeding ${values.users} users and ${values.projects} projects...`);
    const seen = await seed(database.env);
    const [sitePort, barePort] = [await freePort(), await freePort()];
    const siteEnv = { ...database.env, PORT: String(sitePort), LOG_LEVEL: 'warn', QUERY_COUNT_HEADER: 'true', PLUGIN_DIRS: '' };
    children.push(spawnTsx('app/main.ts', [], siteEnv), spawnTsx('scripts/bench-bare.ts', [String(barePort)], {}));
    const bases = { site: `http://127.0.0.1:${sitePort}`, bare: `http://127.0.0.1:${barePort}` };
    await Promise.all([waitFor(`${bases.site}/healthz`), waitFor(`${bases.bare}/bare`)]);
    const cookies = {
      anonymous: '',
      admin: await logIn(bases.site, 'admin', ADMIN_PASSWORD),
      viewer: await logIn(bases.site, VIEWER.username, VIEWER.password),
    };

    const rows: Row[] = [];
    const chosen = ENDPOINTS.filter((e) => e.target === 'bare' || e.name.includes(values.only));
    for (const endpoint of chosen) {
      const url = bases[endpoint.target] + endpoint.path.replace('{category}', seen.category).replace('{project}', seen.project);
      const headers: Record<string, string> = endpoint.as === 'anonymous' ? {} : { cookie: cookies[endpoint.as] };
      say(`Loading ${endpoint.name} for ${values.duration} s...`);
      const sql = await queriesPerRequest(url, headers);
      const { rps, p50, p99 } = await measure(url, headers);
      rows.push({ endpoint: endpoint.name, rps, p50_ms: p50, p99_ms: p99, sql_queries: sql, vs_bare: rps / (rows[0]?.rps ?? rps) });
    }
    if (values.json) console.log(JSON.stringify(rows, null, 2));
    else printTable(rows);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
