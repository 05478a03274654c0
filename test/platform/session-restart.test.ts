import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import supertest from 'supertest';
import { createTestDatabase, type TestDatabaseLocation } from '../helpers/database';
import { logIn, startTestSite } from '../helpers/site';

describe('sessions in the database', () => {
  let location: TestDatabaseLocation | undefined;
  after(async () => location?.remove());

  it('keeps a session valid after the app restarts on the same database', async () => {
    location = await createTestDatabase();
    const first = await startTestSite({ location });
    await first.createUser({ username: 'alice' });
    const agent = await logIn(first.app, 'alice');
    await agent.get('/').expect(200);
    const cookie = (await agent.get('/')).request.cookies;
    await first.close();

    const second = await startTestSite({ location });
    try {
      const res = await supertest(second.app).get('/').set('Cookie', cookie).expect(200);
      assert.match(res.text, /<i class="fa fa-user"><\/i> <span id="sodar-user-menu-name">alice<\/span>/);
      await supertest(second.app).get('/').expect(302);
    } finally {
      await second.close();
    }
  });
});
