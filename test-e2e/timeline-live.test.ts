/**
 * In real headless Chromium: with a project timeline open, events that another process
 * writes show up within 2 seconds without a reload, and so do a status change and a
 * repeat (the group's row then shows ×2); after the stream breaks, the page reads the list
 * again and shows what was recorded meanwhile. On PostgreSQL the other process writes straight
 * into the database; the embedded database admits one process only, so there it writes
 * through the REST API over HTTP. Screenshots go to test-artifacts/e2e/.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Project } from '../projectroles/entities';
import { createProject } from '../projectroles/projects';
import { databaseKind } from '../test/helpers/database';
import { startTestSite, TEST_PASSWORD, type TestSite } from '../test/helpers/site';
import { runWriter, type Written } from './fixtures/add-timeline-event';
import type { ServedApp } from '../test/helpers/http-server';
import { openInBrowser, type SiteInBrowser } from './fixtures/site-in-browser';

const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts', 'e2e');
/** The promise of the feature: an open page shows a change within this. */
const LIVE_DEADLINE_MS = 2000;
const DESCRIPTION = 'Imported 12 samples from sequencing run 42';

describe('live timeline in Chromium', () => {
  let site: TestSite;
  let browsing: SiteInBrowser | undefined;
  let served: ServedApp;
  let page: Page;
  let base: string;
  let project: Project;
  const latencies: string[] = [];
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  /** The same event each time (so a second one is a repeat), by admin, from another process. */
  const addEventElsewhere = (): Promise<Written> => {
    const event = { project: project.sodar_uuid, user: 'admin', eventName: 'sample_import', description: DESCRIPTION };
    return databaseKind === 'postgres'
      ? runWriter({ via: 'database', ...event }, site.location.env)
      : runWriter({ via: 'http', base, password: TEST_PASSWORD, ...event });
  };

  /**
   * A status change. On PostgreSQL from another process; the embedded database's only
   * other way in, REST, has no status endpoint, so there the site's own process writes it
   * (as a job of the site would).
   */
  const setStatusElsewhere = async (event: string): Promise<number> => {
    if (databaseKind === 'postgres') return (await runWriter({ via: 'database', event, status: 'OK' }, site.location.env)).sentAt;
    const sentAt = Date.now();
    await (await site.registry.getBackendApi('timeline')!.getEvent(event))!.setStatus('OK');
    return sentAt;
  };

  /** An event the site's own process records (as a plugin would). */
  const addEventHere = (description: string) =>
    site.registry.getBackendApi('timeline')!.addEvent({ project, app: 'timeline', user: null, eventName: 'note', description, statusType: 'INFO' });

  const groupsInOrder = () => page.locator('tr.sodar-tl-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-group')));

  /** Waits for `selector` and checks it came within the deadline of `sentAt`. */
  const expectWithinDeadline = async (what: string, selector: string, sentAt: number) => {
    await page.waitForSelector(selector, { timeout: LIVE_DEADLINE_MS + 5000 });
    const latency = Date.now() - sentAt;
    latencies.push(`${what} ${latency} ms`);
    assert.ok(latency < LIVE_DEADLINE_MS, `${what}: shown ${latency} ms after the write`);
  };

  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    site = await startTestSite();
    const owner = await site.createUser({ username: 'olivia', name: 'Olivia Owner' });
    const category = await createProject(site.db.dataSource, { title: 'Genomics', type: 'CATEGORY', parent: null, owner });
    project = await createProject(site.db.dataSource, { title: 'Sequencing Core', type: 'PROJECT', parent: category, owner });
    await addEventHere('Sequencer calibrated');
    browsing = await openInBrowser(site);
    ({ page, base, served } = browsing);
  });
  after(async () => {
    if (latencies.length > 0) console.log(`live timeline on ${databaseKind}: ${latencies.join(', ')}`);
    await browsing?.close();
  });

  it('shows events, a status change and a repeat from another process without reload', async () => {
    const failures: string[] = [];
    page.on('requestfailed', (request) => failures.push(`${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('pageerror', (error) => failures.push(error.message));

    await page.goto(`${base}/login`);
    await page.fill('#id_username', 'olivia');
    await page.fill('#id_password', TEST_PASSWORD);
    await page.click('#sodar-login-submit');
    await page.waitForSelector('#sodar-project-list[data-loaded="true"]'); // else leaving aborts its Ajax call
    await page.goto(`${base}/timeline/${project.sodar_uuid}`);
    await page.waitForSelector('#sodar-tl-live.text-bg-success'); // the stream is open
    // A mark on this document: gone if anything reloads the page.
    await page.evaluate('window.sodarTestMark = "still here"');
    const [calibrated] = await groupsInOrder();
    await shot('timeline-live-01-open');

    const first = await addEventElsewhere();
    const row = `tr.sodar-tl-row[data-group="${first.event}"]`;
    await expectWithinDeadline('new event', `${row}:has-text("${DESCRIPTION}")`, first.sentAt);
    assert.deepEqual(await groupsInOrder(), [first.event, calibrated], 'the new row is on top');
    assert.equal(await page.textContent(`${row} .sodar-tl-status`), 'INIT');
    assert.match((await page.textContent(row)) ?? '', /admin/);
    await shot('timeline-live-02-new-event');

    const checked = await addEventHere('Quality check started');
    await page.waitForSelector(`tr.sodar-tl-row[data-group="${checked.event.sodar_uuid}"]`, { timeout: LIVE_DEADLINE_MS });
    const statusSent = await setStatusElsewhere(first.event);
    await expectWithinDeadline('status change', `${row} .sodar-tl-status:text-is("OK")`, statusSent);
    assert.deepEqual(await groupsInOrder(), [checked.event.sodar_uuid, first.event, calibrated], 'a status change keeps the row in its place');
    await shot('timeline-live-03-status-ok');

    const repeat = await addEventElsewhere();
    await expectWithinDeadline('repeat', `${row} .sodar-tl-repeat:text-is("×2")`, repeat.sentAt);
    assert.equal(await page.getAttribute(row, 'data-event'), repeat.event, 'the group row now shows the latest repeat');
    assert.deepEqual(await groupsInOrder(), [first.event, checked.event.sodar_uuid, calibrated], 'a repeat moves its group row on top');
    assert.equal(await page.textContent(`${row} .sodar-tl-status`), 'INIT', "the latest repeat's own status");
    await shot('timeline-live-04-repeat');

    assert.equal(await page.evaluate('window.sodarTestMark'), 'still here', 'the page was not reloaded');
    // Checked before the reload, which aborts the open stream.
    assert.deepEqual(failures, [], 'no failed requests or script errors');
    // What a reload would show, so live updates and the page agree.
    const shown = await page.locator('#sodar-tl-table tbody').innerText();
    await page.reload();
    await page.waitForSelector('#sodar-tl-live.text-bg-success');
    assert.equal(await page.locator('#sodar-tl-table tbody').innerText(), shown);
  });

  it('reads the list again when its stream comes back after a break, showing what happened meanwhile', async () => {
    await page.waitForSelector('#sodar-tl-live.text-bg-success');
    await page.evaluate('window.sodarTestMark = "before the break"');
    // The stream breaks (as in a site restart); an event recorded before the browser is back
    // (it retries after 2 s) is announced to nobody.
    served.server.closeAllConnections();
    const missed = await addEventHere('Written while the stream was down');
    await page.waitForSelector(`tr.sodar-tl-row[data-group="${missed.event.sodar_uuid}"]`, { timeout: 10_000 });
    assert.equal(await page.evaluate('window.sodarTestMark'), undefined, 'the page read the list again');
    await page.waitForSelector('#sodar-tl-live.text-bg-success');
    await shot('timeline-live-05-after-break');
  });
});
