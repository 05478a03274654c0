/**
 * Stopping the real process as an orchestrator does: SIGTERM, then /readyz must say 503 at
 * once (so a load balancer sends no more), requests in flight finish, live event streams are
 * closed within the documented 5 s, and the process exits 0. Also the first start's admin
 * password, printed as a plain line on standard error.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { createProject } from '../../projectroles/projects';
import { logInOverHttp } from '../../test-e2e/fixtures/add-timeline-event';
import { createTestDatabase, type TestDatabaseLocation } from '../helpers/database';
import { startSiteProcess, type SiteProcess } from '../helpers/site-process';
import { startTestSite } from '../helpers/site';

/** README: "live timeline streams are closed after 5 s". */
const STREAMS_CLOSED_WITHIN_MS = 5000;
/** Room for a busy machine between a deadline and what a client sees. */
const MARGIN_MS = 700;

/** A project to stream, owned by olivia, on a database with no superuser yet (the site's first start creates it). */
async function prepare(location: TestDatabaseLocation): Promise<string> {
  const site = await startTestSite({ location });
  try {
    const olivia = await site.createUser({ username: 'olivia' });
    const category = await createProject(site.db.dataSource, { title: 'Stop Category', type: 'CATEGORY', parent: null, owner: olivia });
    const project = await createProject(site.db.dataSource, { title: 'Stop Project', type: 'PROJECT', parent: category, owner: olivia });
    await site.db.dataSource.query("DELETE FROM projectroles_user WHERE username = 'admin'");
    return project.sodar_uuid;
  } finally {
    await site.close();
  }
}

/** The plain line the first start prints on standard error (it may follow "Site ready" by a moment). */
async function printedPassword(site: SiteProcess): Promise<string> {
  for (let waited = 0; waited < 3000; waited += 50) {
    const password = /^First start: created superuser "admin" with password "([^"]+)"/m.exec(site.stderr())?.[1];
    if (password) return password;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`no plain password line on standard error: ${site.stderr()}`);
}

/** Opens an event stream; resolves with a promise of when the server closes it. */
function openStream(base: string, path: string, cookie: string): Promise<{ status: number; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { headers: { Accept: 'text/event-stream', Cookie: cookie } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, closed: new Promise((done) => res.once('close', () => done(Date.now()))) });
    });
    req.once('error', reject);
  });
}

/** A POST whose body arrives in two halves: in flight until `sendRest`. */
function slowPost(base: string, path: string): { answer: Promise<{ status: number; connection: string }>; sendRest(): void } {
  const body = 'username=nobody&password=wrong-password';
  const half = Math.floor(body.length / 2);
  const req = http.request(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length } });
  const answer = new Promise<{ status: number; connection: string }>((resolve, reject) => {
    req.once('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, connection: String(res.headers.connection) });
    });
    req.once('error', reject);
  });
  req.write(body.slice(0, half));
  return { answer, sendRest: () => req.end(body.slice(half)) };
}

/** /readyz right after the signal: the first answer that is not the old 200 (the signal takes a moment to arrive). */
async function readinessAfterSignal(base: string): Promise<{ status: number; body: { status?: string } }> {
  for (let tries = 0; ; tries += 1) {
    const res = await fetch(`${base}/readyz`);
    if (res.status !== 200 || tries >= 20) return { status: res.status, body: (await res.json()) as { status?: string } };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('stopping the site with SIGTERM', () => {
  let location: TestDatabaseLocation | undefined;
  after(async () => location?.remove());

  it('says 503 on /readyz at once, finishes requests in flight, cuts what is left and live streams at 5 s, exits 0', async (t) => {
    location = await createTestDatabase();
    const projectUuid = await prepare(location);
    const site = await startSiteProcess(location.env);
    const admin = await logInOverHttp(site.baseUrl, 'admin', await printedPassword(site));
    const stream = await openStream(site.baseUrl, `/timeline/ajax/live/${projectUuid}`, admin.cookie);
    assert.equal(stream.status, 200);
    const inFlight = slowPost(site.baseUrl, '/login');
    // Its client never sends the rest: cut at the deadline.
    const cut = slowPost(site.baseUrl, '/login').answer.then((answer) => `answered ${answer.status}`, (error: Error) => error.message);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the POSTs' first halves have arrived

    const signalled = Date.now();
    site.child.kill('SIGTERM');
    const ready = await readinessAfterSignal(site.baseUrl);
    assert.equal(ready.status, 503, '/readyz answers 503 once the site stops');
    assert.equal(ready.body.status, 'stopping');
    const readyMs = Date.now() - signalled;

    await new Promise((resolve) => setTimeout(resolve, 1000));
    inFlight.sendRest();
    const finished = await inFlight.answer;
    assert.ok(finished.status >= 200 && finished.status < 500, `the request in flight was answered (${finished.status})`);
    assert.equal(finished.connection, 'close', 'and told to go elsewhere for the next one');

    const streamMs = (await stream.closed) - signalled;
    const code = await site.exited;
    assert.equal(await cut, 'socket hang up', 'a request still unfinished at the deadline is cut');
    const totalMs = Date.now() - signalled;
    t.diagnostic(`after SIGTERM: /readyz 503 in ${readyMs} ms, stream closed in ${streamMs} ms, exit in ${totalMs} ms`);
    assert.ok(streamMs < STREAMS_CLOSED_WITHIN_MS + MARGIN_MS, `the live stream closed after ${streamMs} ms`);
    assert.equal(code, 0, 'SIGTERM exits 0');
    assert.ok(totalMs < STREAMS_CLOSED_WITHIN_MS + 1000, `the process ended ${totalMs} ms after SIGTERM`);
  });
});
