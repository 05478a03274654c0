/**
 * In real headless Chromium: log in, open home, expand a category, open a project, star
 * it, add a member through the autocomplete, and see the members list change.
 * Screenshots go to test-artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { assignRole, createProject } from '../projectroles/projects';
import { startTestSite, TEST_PASSWORD, type TestSite } from '../test/helpers/site';
import { openInBrowser, type SiteInBrowser } from './fixtures/site-in-browser';

const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts', 'e2e');

describe('browsing in Chromium', () => {
  let site: TestSite;
  let browsing: SiteInBrowser | undefined;
  let page: Page;
  let base: string;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    site = await startTestSite();
    const owner = await site.createUser({ username: 'olivia', name: 'Olivia Owner' });
    await site.createUser({ username: 'newton', name: 'Newton Newcomer' });
    const category = await createProject(site.db.dataSource, { title: 'Neuroscience', type: 'CATEGORY', parent: null, owner });
    const project = await createProject(site.db.dataSource, { title: 'Mouse Brain Atlas', type: 'PROJECT', parent: category, owner, readme: '# Mouse Brain Atlas\n\nLight-sheet data.' });
    await assignRole(site.db.dataSource, project, await site.createUser({ username: 'gina', name: 'Gina Guest' }), 'project guest');
    browsing = await openInBrowser(site);
    ({ page, base } = browsing);
  });
  after(async () => {
    await browsing?.close();
  });

  it('logs in, browses, stars a project and adds a member', async () => {
    const failures: string[] = [];
    page.on('requestfailed', (request) => failures.push(request.url()));
    page.on('pageerror', (error) => failures.push(error.message));

    await page.goto(`${base}/`);
    assert.match(page.url(), /\/login\?next=%2F$/);
    await page.fill('#id_username', 'olivia');
    await page.fill('#id_password', TEST_PASSWORD);
    await page.click('#sodar-login-submit');
    await page.waitForSelector('#sodar-project-list[data-loaded="true"]');
    await shot('01-home');

    await page.click('tr:has-text("Neuroscience") .sodar-expand');
    await page.waitForSelector('tr:has-text("Mouse Brain Atlas")');
    await shot('02-category-expanded');

    await page.click('a:has-text("Mouse Brain Atlas")');
    await page.waitForSelector('#sodar-project-readme h1');
    assert.equal(await page.textContent('#sodar-project-readme h1'), 'Mouse Brain Atlas');
    await page.click('#sodar-project-star');
    await page.waitForSelector('#sodar-project-star[data-starred="1"]');
    const [starred] = await site.db.dataSource.query('SELECT count(*) AS n FROM projectroles_project_star');
    assert.equal(starred.n, 1, 'the star is stored');
    await shot('03-project-starred');

    await page.click('#sodar-members-tab');
    await page.waitForSelector('#sodar-member-list');
    assert.equal(await page.textContent('#sodar-member-count'), '2');
    await page.click('#sodar-member-add');
    // The autocomplete script attaches on load; typing earlier would go unheard.
    await page.waitForLoadState('load');
    await page.fill('#id_user_search', 'newt');
    await page.waitForSelector('.sodar-user-suggestion');
    await shot('04-autocomplete');
    await page.click('.sodar-user-suggestion:has-text("newton")');
    await page.selectOption('#id_role', 'project contributor');
    await page.click('#sodar-member-submit');
    await page.waitForSelector('tr[data-user="newton"]');
    assert.equal(await page.textContent('#sodar-member-count'), '3');
    assert.match((await page.textContent('tr[data-user="newton"]')) ?? '', /contributor/);
    await shot('05-members-after-add');

    assert.deepEqual(failures, [], 'no failed requests or script errors');
  });
});
