import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import supertest from 'supertest';
import { serverUrl } from '../helpers/database';
import { logIn } from '../helpers/site';
import { startSiteBehindProxy } from '../helpers/tcp-proxy';

// The embedded database lives inside the app's process and cannot become unreachable
// on its own; CI's PostgreSQL leg (TEST_DATABASE_URL set) runs this test.
const skip = serverUrl ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL); the embedded database cannot go away';

describe('database outage', () => {
  it('answers 503 while the database is unreachable and serves again once it is back', { skip }, async () => {
    const { site, proxy, close } = await startSiteBehindProxy();
    try {
      await site.createUser({ username: 'alice' });
      const agent = await logIn(site.app, 'alice');
      await supertest(site.app).get('/readyz').expect(200);

      await proxy.cut();
      const ready = await supertest(site.app).get('/readyz').expect(503);
      assert.match(ready.body.detail, /database unreachable/);
      const page = await agent.get('/').expect(503);
      assert.match(page.text, /temporarily unavailable/);
      const json = await agent.get('/project/api/users/current').set('Accept', 'application/json').expect(503);
      assert.match(json.body.detail, /temporarily unavailable/);

      await proxy.open();
      await supertest(site.app).get('/readyz').expect(200);
      await agent.get('/').expect(200);
    } finally {
      await close();
    }
  });
});
