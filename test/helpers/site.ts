/** Opens the real site on a real throwaway database for a test file. */
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../app/config';
import { openSite, type Site } from '../../app/site';
import { createUser, type NewUser } from '../../projectroles/users';
import type { User } from '../../projectroles/entities';
import { createTestDatabase, type TestDatabaseLocation } from './database';

export const TEST_PASSWORD = 'correct-horse-battery';

export interface TestSite extends Site {
  location: TestDatabaseLocation;
  createUser(fields: Partial<NewUser> & { username: string }): Promise<User>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    LOG_LEVEL: 'silent',
    QUERY_COUNT_HEADER: 'true',
    ADMIN_PASSWORD: TEST_PASSWORD,
    // No drop-ins unless a test asks: the repository's plugins/ folder is not this test's business.
    PLUGIN_DIRS: '',
    ...env,
  });
}

interface StartOptions {
  env?: Record<string, string>;
  location?: TestDatabaseLocation;
  /** Share this site's database (for a second instance on the embedded database). */
  sharedWith?: Site;
}

/** Opens the site on `location` (a new throwaway database when not given). */
export async function startTestSite(options: StartOptions = {}): Promise<TestSite> {
  const location = options.location ?? (await createTestDatabase());
  const config = testConfig({ ...location.env, ...options.env });
  const site = await openSite(config, pino({ level: config.logLevel }), options.sharedWith?.db);
  return {
    ...site,
    location,
    createUser: (fields) => createUser(site.db.dataSource, { email: `${fields.username}@example.com`, password: TEST_PASSWORD, ...fields }),
  };
}

/** A client without a session, as an anonymous visitor. */
export function anonymous(app: Site['app']) {
  return supertest(app);
}

/** The CSRF token from a page's form. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('No CSRF token in the page');
  return match[1];
}

/** Logs `username` in through the login form; returns the agent holding the session. */
export async function logIn(app: Site['app'], username: string, password = TEST_PASSWORD) {
  const agent = supertest.agent(app);
  const page = await agent.get('/login').expect(200);
  await agent.post('/login').type('form').send({ username, password, _csrf: csrfFrom(page.text), next: '/' }).expect(302).expect('Location', '/');
  return agent;
}

/** Reads the CSRF cookie an agent holds, for Ajax calls that send it as X-CSRFToken. */
export async function csrfTokenOf(agent: ReturnType<typeof supertest.agent>): Promise<string> {
  return csrfFrom((await agent.get('/').expect(200)).text);
}
