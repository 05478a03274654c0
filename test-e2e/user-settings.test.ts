/**
 * In real headless Chromium: a user opens the profile, changes a preference on the settings
 * form and sees its effect in the user menu; the home page's starred-only switch is stored
 * as the user's setting, so it survives logging out and in again. And the read-only banner
 * turns green by itself when a superuser switches the mode off.
 * Screenshots go to test-artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createProject } from '../projectroles/projects';
import { startTestSite, TEST_PASSWORD, type TestSite } from '../test/helpers/site';
import { openInBrowser, type SiteInBrowser } from './fixtures/site-in-browser';

const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts', 'e2e');

describe('user settings in Chromium', { timeout: 120_000 }, () => {
  let site: TestSite;
  let browsing: SiteInBrowser | undefined;
  let page: Page;
  let base: string;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  async function logIn(username: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.fill('#id_username', username);
    await page.fill('#id_password', TEST_PASSWORD);
    await page.click('#sodar-login-submit');
    await page.waitForSelector('#sodar-project-list[data-loaded="true"]');
  }

  async function logOut(): Promise<void> {
    await page.click('#sodar-user-menu');
    await page.click('#sodar-logout');
    await page.waitForURL(/\/login$/);
  }

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    site = await startTestSite();
    const owner = await site.createUser({ username: 'petra', name: 'Petra Preference' });
    await createProject(site.db.dataSource, { title: 'Starry Category', type: 'CATEGORY', parent: null, owner });
    browsing = await openInBrowser(site);
    ({ page, base } = browsing);
  });
  after(async () => {
    await browsing?.close();
  });

  it('changes a preference on the profile and sees it in the user menu', async () => {
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await logIn('petra');
    assert.equal(await page.textContent('#sodar-user-menu-name'), 'petra');
    await page.click('#sodar-user-menu');
    await page.click('[data-site-app="userprofile"]');
    await page.waitForURL(/\/user\/profile$/);
    assert.equal(await page.textContent('[data-field="name"]'), 'Petra Preference');
    await page.click('#sodar-user-btn-settings');
    await page.waitForURL(/\/user\/settings\/update$/);
    await page.check('#id_settings_projectroles_user_dropdown_name_display');
    await page.selectOption('#id_settings_projectroles_project_list_pagination', '25');
    await shot('20-user-settings-form');
    await page.click('#sodar-settings-submit');
    await page.waitForURL(/\/user\/profile$/);
    assert.match((await page.textContent('main')) ?? '', /User settings updated\./);
    assert.equal(await page.textContent('#sodar-user-menu-name'), 'Petra Preference');
    assert.equal((await page.textContent('[data-setting="settings.projectroles.project_list_pagination"] .sodar-setting-value'))?.trim(), '25');
    await shot('21-user-profile-updated');
    assert.deepEqual(failures, []);
  });

  it('keeps the starred-only switch across logout and login', async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector('#sodar-project-list[data-loaded="true"]');
    await page.waitForSelector('tr:has-text("Starry Category")');
    const stored = page.waitForResponse((res) => res.url().endsWith('/project/ajax/star/home') && res.ok());
    await page.check('#sodar-starred-only');
    await stored;
    await page.waitForSelector('td:has-text("No starred projects or categories.")');
    await logOut();
    await logIn('petra');
    assert.equal(await page.isChecked('#sodar-starred-only'), true);
    await page.waitForSelector('td:has-text("No starred projects or categories.")');
    await shot('22-home-starred-only-kept');
  });

  it('turns the read-only banner green when the mode is switched off', async () => {
    await site.settings.set('projectroles', 'site_read_only', true);
    await page.goto(`${base}/user/profile`);
    await page.waitForSelector('#sodar-alert-site-read-only.alert-danger');
    await site.settings.set('projectroles', 'site_read_only', false);
    // The page asks every 5 s.
    await page.waitForSelector('#sodar-alert-site-read-only.alert-success', { timeout: 15_000 });
    assert.match((await page.textContent('#sodar-alert-site-read-only')) ?? '', /Site read-only mode disabled\. Please reload your browser tab\./);
    await shot('23-read-only-disabled');
  });
});
