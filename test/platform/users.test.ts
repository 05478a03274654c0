import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../app/config';
import { DEMO_USERS, seedDemoUsers, seedLoadUsers } from '../../projectroles/seed';
import { ensureFirstSuperuser } from '../../projectroles/users';
import { verifyPassword } from '../../projectroles/passwords';
import { logIn, startTestSite, TEST_PASSWORD, type TestSite } from '../helpers/site';

describe('users, seeding and configuration', () => {
  let site: TestSite;
  before(async () => {
    site = await startTestSite();
  });
  after(async () => {
    await site.close();
    await site.location.remove();
  });

  it('creates admin once when the site has no superuser, even after a seed', async () => {
    await logIn(site.app, 'admin', TEST_PASSWORD); // created by the site's start, from ADMIN_PASSWORD
    await site.db.dataSource.query("DELETE FROM projectroles_user WHERE username = 'admin'");
    await seedDemoUsers(site.db.dataSource, 'sodar-demo');
    const first = await ensureFirstSuperuser(site.db.dataSource, null);
    assert.equal(first.created, true);
    assert.ok(first.password && first.password.length >= 16);
    const again = await ensureFirstSuperuser(site.db.dataSource, null);
    assert.equal(again.created, false);
    await logIn(site.app, 'admin', first.password);
  });

  it('seeds demo and load-test users idempotently, with a password that logs in', async () => {
    assert.equal(await seedDemoUsers(site.db.dataSource, 'sodar-demo'), 0, 'demo users exist already');
    const progress: number[] = [];
    assert.equal(await seedLoadUsers(site.db.dataSource, 7000, 'load-pass-1', (done) => progress.push(done)), 7000);
    assert.deepEqual(progress, [5000, 7000]);
    assert.equal(await seedLoadUsers(site.db.dataSource, 7000, 'load-pass-1', () => undefined), 0);
    const [row] = await site.db.dataSource.query('SELECT count(*) AS n FROM projectroles_user');
    assert.equal(row.n, DEMO_USERS.length + 1 + 7000, 'count(*) is a number on both databases');
    await logIn(site.app, 'user007000', 'load-pass-1');
    await logIn(site.app, 'alice', 'sodar-demo');
  });

  it('stores scrypt hashes, never passwords', async () => {
    const [row] = await site.db.dataSource.query("SELECT password FROM projectroles_user WHERE username = 'alice'");
    assert.match(row.password, /^scrypt\$16384\$8\$1\$/);
    assert.equal(await verifyPassword('sodar-demo', row.password), true);
    assert.equal(await verifyPassword('sodar-demO', row.password), false);
  });

  it('reads defaults and rejects bad values naming the key', () => {
    const config = loadConfig({}, '/srv/site');
    assert.equal(config.port, 8000);
    assert.equal(config.databaseUrl, null);
    assert.equal(config.dataDir, '/srv/site/data');
    assert.throws(() => loadConfig({ PORT: '70000' }), (error: Error) => error instanceof ConfigError && /PORT/.test(error.message));
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL must be a postgres/);
    assert.throws(() => loadConfig({ TRUST_PROXY: 'maybe' }), /TRUST_PROXY must be true or false/);
    assert.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of/);
    assert.throws(() => loadConfig({ PLUGIN_BOOT_FAILURE: 'shrug' }), /PLUGIN_BOOT_FAILURE must be one of abort, continue/);
    assert.throws(() => loadConfig({ PLUGIN_CONFIG: '{"a": 1}' }), /PLUGIN_CONFIG must be a JSON object of plugin name to an object/);
    assert.deepEqual(loadConfig({ ENABLED_BACKEND_PLUGINS: 'timeline, example_backend_app' }).enabledBackendPlugins, ['timeline', 'example_backend_app']);
    assert.equal(loadConfig({}).enabledBackendPlugins, null);
  });
});
