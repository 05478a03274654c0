import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { after, describe, it } from 'node:test';
import { pluginFiles } from '../../scripts/scaffold-templates';
import { createTestDatabase, type TestDatabaseLocation } from '../helpers/database';
import { csrfFrom } from '../helpers/site';
import { scratchDir } from '../helpers/scratch';
import { TEST_NODE_FLAGS } from '../helpers/node-flags';

interface RunningSite {
  child: ChildProcess;
  baseUrl: string;
  logLines: string[];
}

const ROOT = path.resolve(__dirname, '..', '..');
const FROM_SOURCES = [...TEST_NODE_FLAGS, '--import', 'tsx', 'app/main.ts'];

/** Starts the site from its sources (or with `nodeArgs`) as its own process and waits for "Site ready". */
function startSite(env: Record<string, string>, nodeArgs = FROM_SOURCES): Promise<RunningSite> {
  const child = spawn(process.execPath, nodeArgs, {
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logLines: string[] = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`site exited early with ${code}: ${logLines.join('\n')}`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      logLines.push(line);
      const entry = JSON.parse(line) as { msg: string; port?: number };
      if (entry.msg.startsWith('Site ready')) {
        child.removeAllListeners('exit');
        resolve({ child, baseUrl: `http://127.0.0.1:${entry.port}`, logLines });
      }
    });
  });
}

function stopSite(site: RunningSite): Promise<number | null> {
  return new Promise((resolve) => {
    site.child.once('exit', (code) => resolve(code));
    site.child.kill('SIGTERM');
  });
}

/** Logs in through the form with fetch, as a browser would; returns the session cookie. */
async function logInOverHttp(baseUrl: string, username: string, password: string): Promise<string> {
  const page = await fetch(`${baseUrl}/login`);
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const body = new URLSearchParams({ username, password, _csrf: csrfFrom(await page.text()), next: '/' });
  const res = await fetch(`${baseUrl}/login`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' });
  assert.equal(res.status, 302, 'login redirects');
  // Login also sends a new CSRF cookie; the session's is the one that matters here.
  const session = res.headers.getSetCookie().find((line) => line.startsWith('sodar_session='));
  assert.ok(session, 'login sets the session cookie');
  return session.split(';')[0]!;
}

describe('starting the site as a process', () => {
  const dataDir = scratchDir('sodar-start-');
  let location: TestDatabaseLocation | undefined;
  after(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await location?.remove();
  });

  it('prints admin credentials on first start that log in, stops cleanly on SIGTERM, and keeps users', async () => {
    location = await createTestDatabase();
    const env = { DATA_DIR: dataDir, LOG_LEVEL: 'info', ...(location.url ? { DATABASE_URL: location.url } : {}) };
    const first = await startSite(env);
    const announcement = first.logLines.find((line) => line.includes('created superuser'));
    const message = (JSON.parse(announcement ?? '{}') as { msg?: string }).msg ?? '';
    const password = /password "([^"]+)"/.exec(message)?.[1];
    assert.ok(password, 'the first start prints the admin password');
    const cookie = await logInOverHttp(first.baseUrl, 'admin', password);
    const home = await fetch(`${first.baseUrl}/`, { headers: { cookie } });
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<i class="fa fa-user"><\/i> <span id="sodar-user-menu-name">admin<\/span>/);
    assert.equal(await stopSite(first), 0, 'SIGTERM exits 0');

    const second = await startSite(env);
    assert.ok(!second.logLines.some((line) => line.includes('created superuser')), 'no second admin');
    const again = await fetch(`${second.baseUrl}/`, { headers: { cookie }, redirect: 'manual' });
    assert.equal(again.status, 200, 'the session survived the restart');
    await logInOverHttp(second.baseUrl, 'admin', password);
    assert.equal(await stopSite(second), 0);
  });

  it('refuses to start on a bad configuration value, naming the key', async () => {
    const child = spawn(process.execPath, FROM_SOURCES, { env: { PATH: process.env.PATH ?? '', PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /Configuration error: PORT must be an integer/);
  });
});

describe('the compiled site (npm start) under plain node', () => {
  // A build folder of this test's own below dist/ (node_modules must resolve from it): no race with a running npm start.
  fs.mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
  const outDir = fs.mkdtempSync(path.join(ROOT, 'dist', 'test-'));
  const dataDir = scratchDir('sodar-compiled-');
  const pluginDir = scratchDir('sodar-compiled-plugins-');
  let location: TestDatabaseLocation | undefined;
  after(async () => {
    for (const dir of [outDir, dataDir, pluginDir]) fs.rmSync(dir, { recursive: true, force: true });
    await location?.remove();
  });

  it('builds only when stale, serves /readyz and pages, and loads a TypeScript drop-in through tsx', async () => {
    const build = () => execFileSync(process.execPath, ['scripts/start-build.js', outDir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(fs.existsSync(path.join(outDir, 'main.js')), false);
    build();
    assert.ok(fs.existsSync(path.join(outDir, 'main.js')), 'the first run builds');
    const stamp = fs.statSync(path.join(outDir, '.build-stamp')).mtimeMs;
    build();
    assert.equal(fs.statSync(path.join(outDir, '.build-stamp')).mtimeMs, stamp, 'a second run with nothing changed does not build');

    const folder = path.join(pluginDir, 'compiled_probe');
    fs.mkdirSync(path.join(folder, 'views'), { recursive: true });
    for (const [file, content] of Object.entries(pluginFiles('compiled_probe', 'site', path.relative(folder, ROOT)))) fs.writeFileSync(path.join(folder, file), content);
    location = await createTestDatabase();
    const env = { DATA_DIR: dataDir, PLUGIN_DIRS: pluginDir, ADMIN_PASSWORD: 'compiled-start-1', ...(location.url ? { DATABASE_URL: location.url } : {}) };
    const site = await startSite(env, [...TEST_NODE_FLAGS, '--enable-source-maps', path.join(outDir, 'main.js')]);
    try {
      assert.equal((await fetch(`${site.baseUrl}/readyz`)).status, 200);
      const login = await fetch(`${site.baseUrl}/login`);
      assert.equal(login.status, 200);
      assert.match(await login.text(), /<form/, 'templates and views/ are found from the build');
      assert.equal((await fetch(`${site.baseUrl}/static/site.css`)).status, 200, 'static/ is found from the build');
      const cookie = await logInOverHttp(site.baseUrl, 'admin', 'compiled-start-1');
      const hello = await fetch(`${site.baseUrl}/compiled_probe/ajax/hello`, { headers: { cookie } });
      assert.equal(hello.status, 200, 'the .ts drop-in answers');
      assert.match(((await hello.json()) as { greeting: string }).greeting, /Hello from compiled_probe/);
      const page = await fetch(`${site.baseUrl}/compiled_probe/`, { headers: { cookie } });
      assert.equal(page.status, 200, "the drop-in's page renders its own view");
    } finally {
      assert.equal(await stopSite(site), 0);
    }
  });
});
