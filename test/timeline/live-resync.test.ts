/**
 * When the PostgreSQL server is unreachable for a while, notifications sent meanwhile are
 * lost: once the site listens again it tells every open timeline page to catch up
 * (`data: {"resync": true}`, on which the page reloads), and new events are announced again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProject } from '../../projectroles/projects';
import { logInOverHttp } from '../../test-e2e/fixtures/add-timeline-event';
import { serverUrl } from '../helpers/database';
import { serveOverHttp } from '../helpers/http-server';
import { openStream } from '../helpers/live-stream';
import { TEST_PASSWORD } from '../helpers/site';
import { startSiteBehindProxy } from '../helpers/tcp-proxy';

// The embedded database lives inside the site's process and cannot become unreachable;
// CI's PostgreSQL leg (TEST_DATABASE_URL set) runs this test.
const skip = serverUrl ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL); the embedded database cannot go away';

describe('timeline live updates across a database outage', () => {
  it('tells open pages to catch up once the database is back, and announces new events again', { skip }, async () => {
    const { site, proxy, close } = await startSiteBehindProxy();
    const served = await serveOverHttp(site.app);
    try {
      const base = served.base;
      const owner = await site.createUser({ username: 'olivia' });
      const project = await createProject(site.db.dataSource, { title: 'Outage Project', type: 'PROJECT', parent: null, owner });
      const session = await logInOverHttp(base, 'olivia', TEST_PASSWORD);
      const stream = await openStream(base, `/timeline/ajax/live/${project.sodar_uuid}`, session.cookie);
      try {
        await proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 1500)); // at least one failed attempt to listen again
        await proxy.open();
        assert.deepEqual((await stream.next(5000)).data, { resync: true });
        const { event } = await site.registry.getBackendApi('timeline')!.addEvent({ project, app: 'timeline', user: null, eventName: 'after_outage', description: 'back' });
        assert.deepEqual((await stream.next()).data, { event: event.sodar_uuid });
      } finally {
        stream.close();
      }
    } finally {
      served.close();
      await close();
    }
  });
});
