import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { csrfFrom, logIn, startTestSite, TEST_PASSWORD, type TestSite } from '../helpers/site';

/** The Set-Cookie lines of a response. */
function setCookies(res: { headers: Record<string, unknown> }): string[] {
  return ([] as string[]).concat((res.headers['set-cookie'] as string[] | string | undefined) ?? []);
}

function sessionIdOf(agent: ReturnType<typeof supertest.agent>): string | undefined {
  // superagent's cookie jar; the session cookie is all this test needs from it.
  const jar = (agent as unknown as { jar: { getCookie(name: string, access: object): { value: string } | undefined } }).jar;
  return jar.getCookie('sodar_session', { domain: '127.0.0.1', path: '/', secure: false, script: false })?.value;
}

describe('login, logout and CSRF', () => {
  let site: TestSite;

  before(async () => {
    site = await startTestSite({ env: { LOGIN_THROTTLE_MAX: '3', LOGIN_THROTTLE_IP_MAX: '8' } });
    await site.createUser({ username: 'alice', name: 'Alice Liddell' });
    await site.createUser({ username: 'mallory' });
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('redirects an anonymous page request to login with next', async () => {
    await supertest(site.app).get('/').expect(302).expect('Location', '/login?next=%2F');
  });

  it('logs in, returns to next, sets a safe cookie and records last_login', async () => {
    const agent = supertest.agent(site.app);
    const page = await agent.get('/login?next=/project/api/users/current').expect(200);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: TEST_PASSWORD, _csrf: csrfFrom(page.text), next: '/project/api/users/current' })
      .expect(302)
      .expect('Location', '/project/api/users/current');
    const sessionCookie = setCookies(res).find((cookie) => cookie.startsWith('sodar_session=')) ?? '';
    assert.match(sessionCookie, /HttpOnly/i);
    assert.match(sessionCookie, /SameSite=Lax/i);
    assert.doesNotMatch(sessionCookie, /Secure/, 'no Secure flag on plain http');
    const home = await agent.get('/').expect(200);
    assert.match(home.text, /id="sodar-user-menu"[^>]*>\s*<i class="fa fa-user"><\/i> <span id="sodar-user-menu-name">alice<\/span>/);
    const rows = await site.db.dataSource.query('SELECT last_login FROM projectroles_user WHERE username = $1', ['alice']);
    assert.ok(rows[0].last_login instanceof Date);
  });

  it('marks the session cookie Secure behind a trusted https proxy', async () => {
    const proxied = await startTestSite({ location: site.location, env: { TRUST_PROXY: 'true' }, sharedWith: site });
    try {
      // The cookies are Secure, so a client on plain http (supertest) must send them by hand.
      const page = await supertest(proxied.app).get('/login').set('X-Forwarded-Proto', 'https').expect(200);
      const csrfCookie = setCookies(page).find((cookie) => cookie.startsWith('csrftoken=')) ?? '';
      assert.match(csrfCookie, /; Secure/);
      const res = await supertest(proxied.app)
        .post('/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', csrfCookie.split(';')[0]!)
        .type('form')
        .send({ username: 'alice', password: TEST_PASSWORD, _csrf: csrfFrom(page.text) })
        .expect(302);
      const session = setCookies(res).find((cookie) => cookie.startsWith('sodar_session=')) ?? '';
      assert.match(session, /; Secure/);
      assert.match(res.headers['strict-transport-security'] ?? '', /max-age/);
    } finally {
      await proxied.close();
    }
  });

  it('regenerates the session id at login: the previous session is gone', async () => {
    const agent = await logIn(site.app, 'alice');
    const first = sessionIdOf(agent);
    const page = await agent.get('/').expect(200);
    await agent.post('/login').type('form').send({ username: 'mallory', password: TEST_PASSWORD, _csrf: csrfFrom(page.text) }).expect(302);
    const second = sessionIdOf(agent);
    assert.ok(first && second && first !== second, 'a new session id');
    await supertest(site.app).get('/').set('Cookie', `sodar_session=${first}`).expect(302);
    assert.match((await agent.get('/').expect(200)).text, /<i class="fa fa-user"><\/i> <span id="sodar-user-menu-name">mallory<\/span>/);
  });

  it('refuses a wrong password with a message and no session', async () => {
    const agent = supertest.agent(site.app);
    const page = await agent.get('/login').expect(200);
    const res = await agent.post('/login').type('form').send({ username: 'alice', password: 'wrong', _csrf: csrfFrom(page.text) }).expect(200);
    assert.match(res.text, /Please enter a correct username and password/);
    await agent.get('/').expect(302).expect('Location', '/login?next=%2F');
  });

  it('ignores an off-site next', async () => {
    const agent = supertest.agent(site.app);
    const page = await agent.get('/login').expect(200);
    await agent
      .post('/login')
      .type('form')
      .send({ username: 'alice', password: TEST_PASSWORD, _csrf: csrfFrom(page.text), next: '//evil.example/' })
      .expect(302)
      .expect('Location', '/');
  });

  it('logs out by POST and the old session no longer works', async () => {
    const agent = await logIn(site.app, 'alice');
    const home = await agent.get('/').expect(200);
    await agent.post('/logout').type('form').send({ _csrf: csrfFrom(home.text) }).expect(302).expect('Location', '/login');
    await agent.get('/').expect(302);
  });

  it('refuses a POST without a CSRF token (403) and keeps the user logged in', async () => {
    const agent = await logIn(site.app, 'alice');
    const res = await agent.post('/logout').type('form').send({}).expect(403);
    assert.match(res.text, /CSRF verification failed/);
    await agent.get('/').expect(200);
    await agent.post('/logout').set('X-CSRFToken', 'forged').expect(403);
  });

  it('refuses a login form posted without a token (403)', async () => {
    await supertest(site.app).post('/login').type('form').send({ username: 'alice', password: TEST_PASSWORD }).expect(403);
  });

  it('throttles failed logins per username with 429 and a message, even with the right password', async () => {
    const agent = supertest.agent(site.app);
    const page = await agent.get('/login').expect(200);
    const token = csrfFrom(page.text);
    for (let i = 0; i < 3; i += 1) {
      await agent.post('/login').type('form').send({ username: 'mallory', password: 'guess', _csrf: token }).expect(200);
    }
    const res = await agent.post('/login').type('form').send({ username: 'mallory', password: TEST_PASSWORD, _csrf: token }).expect(429);
    assert.match(res.text, /Too many failed login attempts/);
    assert.ok(Number(res.headers['retry-after']) > 0);
  });

  it('throttles failed logins per client IP across usernames', async () => {
    const agent = supertest.agent(site.app);
    const token = csrfFrom((await agent.get('/login').expect(200)).text);
    let status = 200;
    // Earlier tests in this file already failed from this IP; at most 8 in all may fail.
    for (let i = 0; i < 8 && status === 200; i += 1) {
      status = (await agent.post('/login').type('form').send({ username: `nobody${i}`, password: 'x', _csrf: token })).status;
    }
    assert.equal(status, 429);
    const res = await agent.post('/login').type('form').send({ username: 'alice', password: TEST_PASSWORD, _csrf: token }).expect(429);
    assert.match(res.text, /Too many failed login attempts/);
  });
});
