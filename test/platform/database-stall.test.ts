import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import supertest from 'supertest';
import { serverUrl } from '../helpers/database';
import { logIn } from '../helpers/site';
import { startSiteBehindProxy } from '../helpers/tcp-proxy';

// The embedded database runs inside the app's process: no network lies between them to
// stall. CI's PostgreSQL leg (TEST_DATABASE_URL set) runs this test.
const skip = serverUrl ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL); the embedded database has no network to stall';

const STATEMENT_SECONDS = 2;
/** What a stalled statement may cost: the statement timeout, pg's second of grace, and a margin for a busy machine. */
const UNAVAILABLE_WITHIN_MS = (STATEMENT_SECONDS + 1) * 1000 + 1500;
/** Far beyond every timeout: on code without them a request would wait for the whole stall. */
const HANG_MS = 15_000;

/** Runs `request` and returns its status and how long it took. */
async function timed(request: supertest.Test): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await request.timeout(HANG_MS);
  return { status: res.status, ms: Date.now() - started };
}

describe('database stall (a black-holed network)', () => {
  it('answers 503 within the timeouts while PostgreSQL does not answer, serves pages that need no database at once, and recovers', { skip }, async (t) => {
    const { site, proxy, close } = await startSiteBehindProxy({
      DATABASE_STATEMENT_TIMEOUT_SECONDS: String(STATEMENT_SECONDS),
      DATABASE_CONNECT_TIMEOUT_SECONDS: String(STATEMENT_SECONDS),
      // Plugin states go stale during the stall: their refresh must not hold pages up.
      CROSS_PROCESS_DELAY_SECONDS: '1',
    });
    try {
      await site.createUser({ username: 'alice' });
      const alice = await logIn(site.app, 'alice');
      await alice.get('/').expect(200);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the plugin states are now stale

      proxy.stall();
      const [home, api, ready] = await Promise.all([
        timed(alice.get('/')),
        timed(alice.get('/project/api/users/current').set('Accept', 'application/json')),
        timed(supertest(site.app).get('/readyz')),
      ]);
      const login = await timed(supertest(site.app).get('/login'));
      assert.equal(login.status, 200, 'the login page needs no database');
      assert.ok(login.ms < 1000, `GET /login took ${login.ms} ms during the stall`);
      for (const [what, answer] of Object.entries({ home, api, ready })) {
        assert.equal(answer.status, 503, `${what} answers 503`);
        assert.ok(answer.ms < UNAVAILABLE_WITHIN_MS, `${what} took ${answer.ms} ms (limit ${UNAVAILABLE_WITHIN_MS})`);
      }
      t.diagnostic(`during the stall: GET /login ${login.ms} ms; home ${home.ms} ms, REST ${api.ms} ms, /readyz ${ready.ms} ms (503)`);
      const again = await timed(alice.get('/'));
      assert.equal(again.status, 503, 'a request after the first timeouts also answers 503');
      assert.ok(again.ms < UNAVAILABLE_WITHIN_MS, `a later request took ${again.ms} ms`);

      proxy.resume();
      await supertest(site.app).get('/readyz').timeout(HANG_MS).expect(200);
      await alice.get('/').timeout(HANG_MS).expect(200);
    } finally {
      await close();
    }
  });
});
