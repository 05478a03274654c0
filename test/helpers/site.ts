/** Builds the real app on a real throwaway database for a test file. */
import type express from 'express';
import pino from 'pino';
import supertest from 'supertest';
import { loadConfig, type Config } from '../../app/config';
import { migrate, openDatabase, type Database } from '../../app/database';
import { buildApp } from '../../app/server';
import { builtInMigrations } from '../../migrations';
import { projectrolesEntities } from '../../projectroles/entities';
import { createUser, type NewUser } from '../../projectroles/users';
import type { User } from '../../projectroles/entities';
import { createTestDatabase, type TestDatabaseLocation } from './database';

export const TEST_PASSWORD = 'correct-horse-battery';

export interface TestSite {
  app: express.Express;
  db: Database;
  config: Config;
  location: TestDatabaseLocation;
  /** Closes the app's database connection (the database itself stays). */
  close(): Promise<void>;
  createUser(fields: Partial<NewUser> & { username: string }): Promise<User>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', SECRET_KEY: 'test-secret-key-of-at-least-32-characters', QUERY_COUNT_HEADER: 'true', ...env });
}

/** Opens the app on `location` (a new throwaway database when not given). */
export async function startTestSite(options: { env?: Record<string, string>; location?: TestDatabaseLocation } = {}): Promise<TestSite> {
  const location = options.location ?? (await createTestDatabase());
  const config = testConfig(options.env);
  const logger = pino({ level: 'silent' });
  const db = await openDatabase({
    url: location.url,
    embeddedPath: location.embeddedPath,
    entities: [...projectrolesEntities],
    migrations: builtInMigrations,
    logger,
  });
  await migrate(db);
  const { app } = buildApp({ config, db, logger, secret: config.secretKey! });
  return {
    app,
    db,
    config,
    location,
    close: () => db.dataSource.destroy(),
    createUser: (fields) => createUser(db.dataSource, { email: `${fields.username}@example.com`, password: TEST_PASSWORD, ...fields }),
  };
}

/** The CSRF token from a page's form. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('No CSRF token in the page');
  return match[1];
}

/** Logs `username` in through the login form; returns the agent holding the session. */
export async function logIn(app: express.Express, username: string, password = TEST_PASSWORD) {
  const agent = supertest.agent(app);
  const page = await agent.get('/login').expect(200);
  await agent.post('/login').type('form').send({ username, password, _csrf: csrfFrom(page.text), next: '/' }).expect(302).expect('Location', '/');
  return agent;
}
