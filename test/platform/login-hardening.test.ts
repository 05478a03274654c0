/**
 * Login under attack: credentials only from the form body, a throttle that parallel guesses
 * cannot outrun (in one process or two), bad forms answered with the form and a 400, log
 * lines of bounded size without query-string passwords, the CSRF token rotated at login,
 * and nothing a logged-in user is sent left in a cache.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import supertest from 'supertest';
import { LOG_VALUE_MAX_CHARS } from '../../app/log-truncation';
import { createLogger } from '../../app/logger';
import { openSite, type Site } from '../../app/site';
import { createUser } from '../../projectroles/users';
import { createTestDatabase, serverUrl, type TestDatabaseLocation } from '../helpers/database';
import { csrfFrom, logIn, testConfig, TEST_PASSWORD } from '../helpers/site';

const LIMIT = 10;
const PARALLEL_GUESSES = 30;
/** Any well-formed token works when the cookie carries the same one. */
const TOKEN = 'planted-token-planted-token-0123';
/** Room for the truncation marker after LOG_VALUE_MAX_CHARS characters. */
const MARKER_ROOM = 40;

/** Opens a site on `location` whose log lines (debug and up) land in `lines`. */
async function openLoggedSite(location: TestDatabaseLocation, lines: string[]): Promise<Site> {
  const config = testConfig({ ...location.env, LOG_LEVEL: 'debug', LOGIN_THROTTLE_MAX: String(LIMIT), LOGIN_THROTTLE_IP_MAX: '1000000' });
  return openSite(config, createLogger(config.logLevel, { write: (line: string) => void lines.push(line) }));
}

/** A login form post with a CSRF cookie and token of our own. */
function postLogin(app: Site['app'], fields: Record<string, string>, query = '') {
  return supertest(app).post(`/login${query}`).set('Cookie', `csrftoken=${TOKEN}`).type('form').send({ _csrf: TOKEN, ...fields });
}

/** A post that carries the CSRF token as a header, for bodies that are not forms. */
function postRaw(app: Site['app']) {
  return supertest(app).post('/login').set('Cookie', `csrftoken=${TOKEN}`).set('X-CSRFToken', TOKEN);
}

async function failureRows(site: Site, username: string): Promise<number> {
  const rows: Array<{ n: number }> = await site.db.dataSource.query('SELECT count(*)::int AS n FROM projectroles_login_failure WHERE key = $1', [`user:${username}`]);
  return rows[0]?.n ?? 0;
}

function statusCounts(responses: Array<{ status: number }>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { status } of responses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return counts;
}

/** The longest string in a log line (for a stack, its longest line: frames are kept). */
function longestString(value: unknown, key = ''): number {
  if (typeof value === 'string') return key === 'stack' ? Math.max(...value.split('\n').map((line) => line.length)) : value.length;
  if (typeof value !== 'object' || value === null) return 0;
  return Math.max(0, ...Object.entries(value).map(([name, field]) => longestString(field, name)));
}

/** Sends PARALLEL_GUESSES wrong passwords for `username` at once, spread over `apps`: LIMIT get the form, the rest 429. */
async function assertGuessesThrottled(site: Site, apps: Array<Site['app']>, username: string): Promise<void> {
  const guesses = Array.from({ length: PARALLEL_GUESSES }, (_, i) => postLogin(apps[i % apps.length]!, { username, password: 'wrong' }));
  const counts = statusCounts(await Promise.all(guesses));
  assert.deepEqual([...counts].sort(), [[200, LIMIT], [429, PARALLEL_GUESSES - LIMIT]], 'exactly the limit evaluated, the rest refused');
  assert.equal(await failureRows(site, username), LIMIT, 'one failure row per evaluated guess, none for refused ones');
}

function setCookies(res: { headers: Record<string, unknown> }): string[] {
  return ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
}

function assertFormShownAgain(res: { status: number; text: string }, message: RegExp, what: string): void {
  assert.equal(res.status, 400, `${what}: ${res.status} ${res.text.slice(0, 200)}`);
  assert.match(res.text, /id="id_username"/, `${what}: the login form again`);
  assert.match(res.text, /id="sodar-login-error"/, `${what}: with a message`);
  assert.match(res.text, message, what);
}

describe('login hardening', () => {
  let location: TestDatabaseLocation;
  let site: Site;
  const lines: string[] = [];

  before(async () => {
    location = await createTestDatabase();
    site = await openLoggedSite(location, lines);
    for (const username of ['qsuser', 'racer', 'racer2', 'rotator', 'cacher']) {
      await createUser(site.db.dataSource, { username, email: `${username}@example.com`, password: TEST_PASSWORD });
    }
  });
  after(async () => {
    await site.close();
    await location.remove();
  });
  beforeEach(() => {
    lines.length = 0;
  });

  it('takes credentials from the form body only: query-string ones neither log in nor slip past the lockout', async () => {
    const secret = encodeURIComponent(TEST_PASSWORD);
    assertFormShownAgain(await postLogin(site.app, { password: TEST_PASSWORD }, '?username=qsuser'), /username: this field is required/, 'username in the query');
    assertFormShownAgain(await postLogin(site.app, {}, `?username=qsuser&password=${secret}`), /this field is required/, 'both in the query');
    for (let i = 0; i < LIMIT; i += 1) await postLogin(site.app, { username: 'qsuser', password: 'wrong' }).expect(200);
    const locked = await postLogin(site.app, { password: TEST_PASSWORD }, '?username=qsuser');
    assert.equal(locked.status, 400, 'the username from the query string does not log in past the lockout');
    assert.equal(setCookies(locked).some((cookie) => cookie.startsWith('sodar_session=')), false, 'no session');
    await postLogin(site.app, { username: 'qsuser', password: TEST_PASSWORD }).expect(429);
    const logged = lines.join('');
    assert.ok(lines.some((line) => /"url":"\/login\?\[query left out\]"/.test(line)), 'the login request was logged');
    assert.equal(logged.includes(TEST_PASSWORD) || logged.includes(secret), false, 'no password in the log');
  });

  it(`evaluates exactly LOGIN_THROTTLE_MAX of ${PARALLEL_GUESSES} parallel wrong passwords; the rest get 429`, async () => {
    await assertGuessesThrottled(site, [site.app], 'racer');
    await postLogin(site.app, { username: 'racer', password: TEST_PASSWORD }).expect(429);
  });

  it(
    'holds the limit with two site instances on one PostgreSQL database',
    { skip: serverUrl ? false : 'two instances share a database only on a PostgreSQL server (the embedded one is one process\'s)' },
    async () => {
      const second = await openLoggedSite(location, []);
      try {
        await assertGuessesThrottled(site, [site.app, second.app], 'racer2');
      } finally {
        await second.close();
      }
    },
  );

  it('answers a login post that is no proper form with 400 and the form, and logs no overlong value', async () => {
    const wrongBody = /must be sent as application\/x-www-form-urlencoded/;
    assertFormShownAgain(await postRaw(site.app).type('text/plain').send('username=qsuser&password=x'), wrongBody, 'text/plain');
    assertFormShownAgain(await postRaw(site.app).type('application/xml').send('<login><username>qsuser</username></login>'), wrongBody, 'XML');
    assertFormShownAgain(await postRaw(site.app).field('username', 'qsuser').field('password', 'x'), wrongBody, 'multipart');
    assertFormShownAgain(await postRaw(site.app), wrongBody, 'no content type, no body');
    assertFormShownAgain(await postLogin(site.app, { username: 'qs\u0000user', password: 'x' }), /NUL/, 'a NUL byte');
    assertFormShownAgain(await postLogin(site.app, { username: 'a'.repeat(151), password: 'x' }), /username: at most 150 characters/, '151 characters');
    const huge = await postLogin(site.app, { username: 'a'.repeat(1_000_000), password: 'x' });
    assertFormShownAgain(huge, /username: at most 150 characters/, '1 MB username');
    assert.ok(huge.text.length < 50_000, 'the form does not echo the whole username');
    await supertest(site.app).get(`/project/${'x'.repeat(5000)}`);
    assert.ok(lines.length >= 8, 'every request was logged');
    for (const line of lines) {
      const longest = longestString(JSON.parse(line));
      assert.ok(longest <= LOG_VALUE_MAX_CHARS + MARKER_ROOM, `a logged value of ${longest} characters: ${line.slice(0, 300)}`);
    }
  });

  it('cuts every logged string, the message and error fields included', () => {
    const captured: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void captured.push(line) });
    const error = Object.assign(new Error('x'.repeat(5000)), { parameters: ['y'.repeat(5000)] });
    const circular: Record<string, unknown> = { name: 'v'.repeat(5000) };
    circular.self = circular;
    const fields = { err: error, nested: { deeper: ['z'.repeat(5000)] }, circular, many: Array.from({ length: 10_000 }, (_, i) => i), bytes: Buffer.alloc(100_000) };
    logger.child({ plugin: 'test' }).error(fields, 'w'.repeat(5000));
    assert.ok(captured[0]!.length < 20_000, `a line of ${captured[0]!.length} characters`);
    const line = JSON.parse(captured[0]!) as { msg: string; err: { parameters: string[] }; circular: { self: unknown } };
    assert.ok(longestString(line) <= LOG_VALUE_MAX_CHARS + MARKER_ROOM, `longest ${longestString(line)}`);
    assert.match(line.msg, /^w{1000}\.\.\.\[4000 more chars\]$/);
    assert.match(line.err.parameters[0]!, /^y{1000}\./);
    assert.equal(line.circular.self, '[Circular]');
  });

  it('rotates the CSRF token at login: a token from before is refused after', async () => {
    const agent = supertest.agent(site.app);
    const planted = csrfFrom((await agent.get('/login').expect(200)).text);
    const res = await agent.post('/login').type('form').send({ username: 'rotator', password: TEST_PASSWORD, _csrf: planted }).expect(302);
    const cookie = setCookies(res).find((line) => line.startsWith('csrftoken='));
    assert.ok(cookie, 'a new CSRF cookie at login');
    const rotated = cookie.split(';')[0]!.slice('csrftoken='.length);
    assert.notEqual(rotated, planted);
    await agent.post('/logout').type('form').send({ _csrf: planted }).expect(403);
    const fresh = csrfFrom((await agent.get('/').expect(200)).text);
    assert.equal(fresh, rotated, 'pages carry the new token');
    await agent.post('/logout').type('form').send({ _csrf: fresh }).expect(302);
  });

  it('sends Cache-Control: no-store to logged-in users (page, Ajax, REST), not for anonymous login or static files', async () => {
    const agent = await logIn(site.app, 'cacher');
    const page = await agent.get('/').expect(200);
    const ajax = await agent.get('/project/ajax/user/current').expect(200);
    const rest = await agent.get('/project/api/users/current').set('Accept', 'application/vnd.bihealth.sodar-core.projectroles+json; version=2.0').expect(200);
    for (const [what, res] of [['page', page], ['Ajax', ajax], ['REST', rest]] as const) {
      assert.equal(res.headers['cache-control'], 'no-store', what);
    }
    const login = await supertest(site.app).get('/login').expect(200);
    assert.doesNotMatch(login.headers['cache-control'] ?? '', /no-store/, 'anonymous login page');
    const css = await agent.get('/static/site.css').expect(200);
    assert.match(css.headers['cache-control'] ?? '', /max-age=\d+/, 'static files stay cacheable');
  });
});
