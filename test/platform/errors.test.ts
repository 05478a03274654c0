import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { logIn, startTestSite, type TestSite } from '../helpers/site';
import type { User } from '../../projectroles/entities';

const REST_ACCEPT = 'application/vnd.bihealth.sodar-core.projectroles+json; version=2.0';

describe('error answers', () => {
  let site: TestSite;
  let alice: User;
  let agent: ReturnType<typeof supertest.agent>;

  before(async () => {
    site = await startTestSite({ env: { BODY_LIMIT_BYTES: '2048' } });
    alice = await site.createUser({ username: 'alice' });
    agent = await logIn(site.app, 'alice');
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('finds an object by its sodar_uuid', async () => {
    const res = await agent.get(`/project/api/users/${alice.sodar_uuid}`).set('Accept', REST_ACCEPT).expect(200);
    assert.equal(res.body.username, 'alice');
    assert.equal(res.body.sodar_uuid, alice.sodar_uuid);
    assert.match(res.headers['content-type'] ?? '', /projectroles\+json; version=2\.0/);
  });

  it('answers 404 JSON for an unknown UUID', async () => {
    const res = await agent.get('/project/api/users/6f1c8e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b').set('Accept', REST_ACCEPT).expect(404);
    assert.match(res.body.detail, /No user with sodar_uuid/);
  });

  it('answers 404, not 500, for a malformed UUID', async () => {
    const res = await agent.get('/project/api/users/not-a-uuid').set('Accept', REST_ACCEPT).expect(404);
    assert.match(res.body.detail, /not a valid UUID/);
    await agent.get("/project/api/users/1' OR '1'='1").set('Accept', REST_ACCEPT).expect(404);
  });

  it('answers 404 with a page in the layout for an unknown path', async () => {
    const res = await agent.get('/no/such/page').expect(404);
    assert.match(res.text, /Error 404/);
    assert.match(res.text, /navbar/);
    assert.doesNotMatch(res.text, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('answers 400 JSON for malformed JSON', async () => {
    const res = await agent.post('/logout').set('Content-Type', 'application/json').send('{"broken": ').expect(400);
    assert.equal(res.body.detail, 'Malformed JSON in request body');
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await agent.post('/logout').set('Content-Type', 'application/json').send(JSON.stringify({ big: 'x'.repeat(5000) })).expect(413);
    assert.match(res.body.detail, /too large/);
  });

  it('answers 406 for an unsupported REST version and 401 for anonymous REST', async () => {
    await agent.get('/project/api/users/current').set('Accept', 'application/vnd.bihealth.sodar-core.projectroles+json; version=9.9').expect(406);
    await agent.get(`/project/api/users/${alice.sodar_uuid}`).set('Accept', 'application/vnd.bihealth.sodar-core.projectroles+json; version=1.0').expect(406);
    await supertest(site.app).get('/project/api/users/current').set('Accept', REST_ACCEPT).expect(401);
  });

  it('serves Bootstrap and Font Awesome from the app itself', async () => {
    const home = await agent.get('/').expect(200);
    const assets = [...home.text.matchAll(/(?:href|src)="([^"]+\.(?:css|js))"/g)].map((match) => match[1]!);
    assert.ok(assets.length >= 3);
    for (const asset of assets) {
      assert.ok(asset.startsWith('/'), `${asset} is served by the app`);
      await agent.get(asset).expect(200);
    }
    await agent.get('/static/vendor/font-awesome/fonts/fontawesome-webfont.woff2').expect(200);
    await agent.get('/static/vendor/bootstrap/no-such-file.css').expect(404);
  });

  it('sends security headers', async () => {
    const res = await agent.get('/').expect(200);
    assert.match(res.headers['content-security-policy'] ?? '', /default-src 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  });

  it('reports liveness and readiness', async () => {
    await supertest(site.app).get('/healthz').expect(200, { status: 'ok' });
    const res = await supertest(site.app).get('/readyz').expect(200);
    assert.equal(res.body.status, 'ok');
  });
});
