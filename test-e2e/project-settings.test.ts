/**
 * In real headless Chromium: an owner opens the project update form, turns on the example
 * app's feature flag and sets an IP allow list, saves, and finds both kept on reopening the
 * form; the create form shows only the chosen type's settings. Screenshots go to
 * test-artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Project } from '../projectroles/entities';
import { createProject } from '../projectroles/projects';
import { startTestSite, TEST_PASSWORD, type TestSite } from '../test/helpers/site';
import { openInBrowser, type SiteInBrowser } from './fixtures/site-in-browser';

const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts', 'e2e');

describe('project settings in Chromium', () => {
  let site: TestSite;
  let browsing: SiteInBrowser | undefined;
  let base: string;
  let page: Page;
  let category: Project;
  let project: Project;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    site = await startTestSite();
    const owner = await site.createUser({ username: 'olivia', name: 'Olivia Owner' });
    category = await createProject(site.db.dataSource, { title: 'Neuroscience', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Mouse Brain Atlas', type: 'PROJECT', parent: category, owner });
    browsing = await openInBrowser(site, { width: 1280, height: 900 });
    ({ page, base } = browsing);
  });
  after(async () => {
    await browsing?.close();
  });

  it('keeps a project setting changed in the update form', async () => {
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(`${base}/login`);
    await page.fill('#id_username', 'olivia');
    await page.fill('#id_password', TEST_PASSWORD);
    await page.click('#sodar-login-submit');
    await page.waitForURL(`${base}/`);

    await page.goto(`${base}/project/update/${project.sodar_uuid}`);
    const flag = '#id_settings_example_backend_app_feature_enabled';
    assert.equal(await page.isChecked(flag), false);
    await page.check(flag);
    await page.fill('#id_settings_projectroles_ip_allow_list', '10.0.0.0/24');
    await shot('settings-01-update-form');
    await page.click('#sodar-project-submit');
    await page.waitForURL(`${base}/project/${project.sodar_uuid}`);
    assert.equal(await site.settings.get('example_backend_app', 'feature_enabled', { project }), true, 'stored');

    await page.goto(`${base}/project/update/${project.sodar_uuid}`);
    assert.equal(await page.isChecked(flag), true, 'kept on reopening');
    assert.equal(await page.inputValue('#id_settings_projectroles_ip_allow_list'), '10.0.0.0/24');
    await shot('settings-02-reopened');

    // Create form: the type select decides which settings show.
    await page.goto(`${base}/project/create/${category.sodar_uuid}`);
    await page.waitForLoadState('load');
    assert.equal(await page.isVisible(flag), true, 'a project setting for a project');
    await page.selectOption('#id_type', 'CATEGORY');
    assert.equal(await page.isVisible(flag), false, 'hidden for a category');
    await page.selectOption('#id_type', 'PROJECT');
    assert.equal(await page.isVisible(flag), true);
    assert.deepEqual(failures, []);
  });
});
