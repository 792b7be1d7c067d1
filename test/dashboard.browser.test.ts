import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTestDatabase, freePort, restClient, startApp, waitForHealth, type AppProcess, type TestDatabase } from './support/app-process.js';
import { waitFor } from './support/wait-for.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const ARTIFACTS = 'test-artifacts';

describe('dashboard in a real browser (Debian Chromium)', { skip: !existsSync(CHROMIUM) && !process.env.CI && `no ${CHROMIUM}` }, () => {
  let db: TestDatabase;
  let app: AppProcess;
  let browser: Browser;
  let page: Page;
  let base: string;

  before(async () => {
    db = await createTestDatabase('browser');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = startApp({ PORT: String(port), DATABASE_URL: db.url, REDIS_URL: undefined, ROLE: 'all' });
    await waitForHealth(base, app);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  });

  after(async () => {
    await browser?.close();
    await app?.stop();
    await db?.drop();
  });

  it('submits a long_running_job, shows its progress moving, cancels it, and the row turns Canceled without a reload', async () => {
    // A few jobs of the demo user, so that the page (and its screenshot) has something to show.
    const rest = restClient(base, 'demo');
    const done = await rest.submit('sample_job', { steps: 3, stepMs: 50 });
    await rest.submit('echo_job', { hello: 'world' });
    const failed = await rest.submit('sample_job', { steps: 4, stepMs: 50, failAt: 2, permanent: true });
    await rest.waitStatus(done.id, 'Completed');
    await rest.waitStatus(failed.id, 'DeadLetter');

    await page.goto(base);
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 15_000 });
    await page.waitForSelector(`tr[data-job-id="${done.id}"] .status[data-status="Completed"]`);
    // Any reload would lose this marker.
    await page.evaluate(() => ((globalThis as unknown as { __noReload: boolean }).__noReload = true));

    await page.selectOption('#submit-type', 'long_running_job');
    await page.fill('#submit-payload', JSON.stringify({ durationMs: 30_000 }));
    await page.click('#submit-button');
    const row = page.locator('#jobs tbody tr').first();
    await waitFor(async () => (await row.locator('.type').textContent()) === 'long_running_job', 'the new row on top', 10_000);
    const jobId = (await row.getAttribute('data-job-id'))!;
    const progressOf = async () => Number(await row.locator('.bar').getAttribute('data-progress'));

    await waitFor(async () => (await row.getAttribute('data-status')) === 'Running', 'the row to show Running', 15_000);
    const first = await waitFor(async () => {
      const p = await progressOf();
      return p > 0 ? p : undefined;
    }, 'a first progress value', 15_000);
    const later = await waitFor(async () => {
      const p = await progressOf();
      return p > first ? p : undefined;
    }, 'the progress bar to move', 15_000);
    assert.ok(later > first);
    const width = await row.locator('.fill').evaluate((el) => (el as unknown as { style: { width: string } }).style.width);
    assert.equal(width, `${later}%`);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
    // `UPDATE_DOCS_SCREENSHOT=1 npm test` refreshes the README's screenshot.
    if (process.env.UPDATE_DOCS_SCREENSHOT) copyFileSync(`${ARTIFACTS}/dashboard.png`, 'docs/dashboard.png');

    await row.locator('button.cancel').click();
    await waitFor(async () => (await row.locator('.status').textContent()) === 'Canceled', 'the row to turn Canceled', 10_000);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __noReload?: boolean }).__noReload), true, 'the page was not reloaded');
    assert.equal(await row.locator('button.cancel').isHidden(), true);
    const job = await rest.get(jobId);
    assert.equal(job.status, 'Canceled');
    assert.equal(job.canceledBy, 'demo');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-canceled.png`, fullPage: true });
  });

  it('Retry runs a DeadLetter job again; the filters narrow the list', async () => {
    const rest = restClient(base, 'demo');
    const failed = await rest.submit('sample_job', { steps: 3, stepMs: 400, failAt: 2, permanent: true });
    await rest.waitStatus(failed.id, 'DeadLetter');
    await page.reload();
    await page.waitForSelector('#conn[data-state="live"]', { timeout: 15_000 });
    const row = page.locator(`tr[data-job-id="${failed.id}"]`);
    await row.locator('button.retry').click();
    await waitFor(async () => {
      const history = (await rest.call('GET', `/jobs/${failed.id}/history`)).body as { fromStatus: string; toStatus: string; actor: string }[];
      return history.some((h) => h.fromStatus === 'DeadLetter' && h.toStatus === 'Queued' && h.actor === 'demo');
    }, 'the retry to be recorded', 10_000);
    // It runs again, fails again (permanently), and the row follows it live.
    await waitFor(async () => (await row.getAttribute('data-status')) === 'Running', 'the row to show Running', 10_000);
    await waitFor(async () => (await row.getAttribute('data-status')) === 'DeadLetter', 'the row to show DeadLetter again', 10_000);

    await page.selectOption('#filter-status', 'Canceled');
    await waitFor(async () => {
      const statuses = await page.locator('#jobs tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { status: string } }).dataset.status));
      return statuses.length > 0 && statuses.every((s) => s === 'Canceled');
    }, 'only Canceled rows', 10_000);
    await page.selectOption('#filter-status', '');
    await page.selectOption('#filter-type', 'echo_job');
    await waitFor(async () => {
      const types = await page.locator('#jobs tbody tr .type').allTextContents();
      return types.length > 0 && types.every((t) => t === 'echo_job');
    }, 'only echo_job rows', 10_000);
  });
});
