// The HTML report in a real browser: Debian's Chromium driven by playwright-core. Filters,
// clicks a cell, checks the explanation shown, and takes a screenshot: into the test's own
// directory, or into docs/report-screenshot.png when GUPSIM_UPDATE_SCREENSHOT=1 (a test run
// leaves the checkout as it found it).
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { FORMATS } from '../reports/formats/index.js';
import { buildFixtureModel } from './helpers/report-fixture.js';
import { cli } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const UPDATE_SCREENSHOT = process.env.GUPSIM_UPDATE_SCREENSHOT === '1';

// Without Chromium the test is reported as skipped with the reason, never silently passed.
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} not installed (apt-get install -y chromium); the browser check did not run`;

/**
 * One Chromium for the file's tests, each in its own context (its own storage and cache, as a
 * browser profile of its own was): a Chromium start costs a few seconds of CPU and is not what
 * either test checks. Closed when the file's tests end (playwright removes its temporary profile).
 */
let launched: Promise<Browser> | undefined;
function chromiumOnce(): Promise<Browser> {
  launched ??= (async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    t.teardown(() => browser.close());
    return browser;
  })();
  return launched;
}

t.test('HTML report in headless Chromium: filter, click a cell, read the explanation', { skip }, async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'report.html');
  const model = await buildFixtureModel(dir);
  writeFileSync(file, FORMATS.html.render(model));
  const ioPrivate = new Set(model.runs.flatMap((r) => r.results.map((x) => x.id ?? '')).filter((id) => id.includes('iouring/private')));
  const browser = await (await chromiumOnce()).newContext({ viewport: { width: 1500, height: 900 } });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);

  const total = await page.locator('tbody tr').count();
  t.ok(total >= 50, `${total} sub-test rows`);
  t.equal(await page.locator('thead th').count(), 1 + 6, 'the id column and six runs');
  t.match(await page.locator('#shown').textContent(), `${total} of ${total} sub-tests`);

  await page.fill('#filter', 'iouring/private');
  const visible = await page.locator('tbody tr:visible').count();
  t.equal(visible, ioPrivate.size, `filter keeps the ${ioPrivate.size} io_uring MAP_PRIVATE rows`);
  t.match(await page.locator('#shown').textContent(), `${visible} of ${total}`);

  t.equal(await page.locator('#details').isVisible(), false, 'no details before a click');
  const cell = page.locator('tr[data-id="iouring/private/tmpfile"] td.cell[data-run="0"]');
  t.equal(await cell.textContent(), 'F');
  t.match(await cell.getAttribute('class'), /v-fail t-expected-failure/);
  await cell.click();
  t.ok(await page.locator('#details').isVisible(), 'details shown');
  t.equal(await page.locator('#d-id').textContent(), 'iouring/private/tmpfile');
  t.equal(await page.locator('#d-verdict').textContent(), 'fail');
  t.equal(await page.locator('#d-class').textContent(), 'expected-failure');
  t.match(await page.locator('#d-run').textContent(), /^#1 6\.1\.176 @qemu \(2025-01-01/);
  t.match(await page.locator('#d-explanation').textContent(), /^io_pin_pages\(\): .*this kernel predates 34ed8d0dcd69 \(6\.5\)/);
  t.match(await cell.getAttribute('class'), /selected/);

  const other = page.locator('tr[data-id="iouring/private/tmpfile"] td.cell[data-run="1"]');
  await other.click();
  t.equal(await page.locator('#d-verdict').textContent(), 'pass', 'a second click shows the other run');
  t.equal(await page.locator('td.selected').count(), 1);
  // 004 on the arm64 FVP (run 4): its local-tmpfile failure is the 9p server's.
  await page.fill('#filter', 'local-tmpfile');
  await page.locator('tr[data-id="rw/gup/shared/local-tmpfile"] td.cell[data-run="3"]').click();
  t.equal(await page.locator('#d-verdict').textContent(), 'fail');
  t.equal(await page.locator('#d-class').textContent(), 'environment');
  t.match(await page.locator('#d-run').textContent(), /^#4 .*@fvp/);
  t.match(await page.locator('#d-explanation').textContent(), /9p/);

  await page.fill('#filter', '');
  await page.check('#only-bad');
  const bad = await page.locator('tbody tr:visible').count();
  t.ok(bad > 0 && bad < total, `"only fail/error/missing" narrows to ${bad} rows`);
  await page.uncheck('#only-bad');
  await page.fill('#filter', 'iouring');
  await cell.click();

  const shotDir = UPDATE_SCREENSHOT ? DOCS : dir;
  mkdirSync(shotDir, { recursive: true });
  await page.screenshot({ path: join(shotDir, 'report-screenshot.png'), fullPage: false });
  t.ok(existsSync(join(shotDir, 'report-screenshot.png')), 'screenshot saved');
  t.same(requests, [], 'no network requests');
  t.same(errors, [], 'no script errors');
});

/** Bidi controls (U+202A–202E, U+2066–2069) and other controls: what a label or a log may carry. */
const BIDI = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

t.test('HTML report in headless Chromium: a bidi override in a label or a log reorders nothing', { skip }, async (t) => {
  const dir = t.testdir();
  const db = join(dir, 'h.db');
  const file = join(dir, 'report.html');
  const logs = fileURLToPath(new URL('./fixtures/logs/live/', import.meta.url));
  // A failure line whose text carries an override (U+202E) and an isolate (U+2067) left open.
  const failing = readFileSync(fileURLToPath(new URL('./fixtures/repro/ansi-in-log.log', import.meta.url)), 'utf8').replace(
    /^(not ok \d+ .*)$/m,
    '$1 \u202eliat desrever \u2067open isolate',
  );
  const failingLog = join(dir, 'bidi.log');
  writeFileSync(failingLog, failing);
  // record exits 1 for the failing log (its failure contradicts the model), 0 for the others.
  const record = async (machine: string, log: string, date: string, code = 0): Promise<void> => {
    t.equal((await cli(['record', '--db', db, '--machine', machine, '--date', date, log])).code, code, machine);
  };
  await record('lab\u202eevil', join(logs, '6.18-host-ext4-default.log'), '2025-01-01');
  await record('m2\u202e', failingLog, '2025-01-02', 1);
  await record('plain', join(logs, '6.1.0-50-qemu-ext4-default.log'), '2025-01-03');
  t.equal((await cli(['report', '--format', 'html', '--db', db, '--out', file])).code, 0);

  const browser = await (await chromiumOnce()).newContext({ viewport: { width: 1500, height: 900 } });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.goto(pathToFileURL(file).href);
  // Each character's box, in text order: on one line, none may lie left of the one before it
  // (all this text is left-to-right once its controls are shown, not obeyed).
  const reversed = (selector: string): Promise<string[]> =>
    page.locator(selector).evaluateAll((els) =>
      els.flatMap((el) => {
        const out: string[] = [];
        const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
        let prev: DOMRect | undefined;
        for (let n = walker.nextNode() as Text | null; n; n = walker.nextNode() as Text | null) {
          for (let i = 0; i < n.data.length; i++) {
            const range = document.createRange();
            range.setStart(n, i);
            range.setEnd(n, i + 1);
            const box = range.getBoundingClientRect();
            if (box.width === 0) continue;
            if (prev && Math.abs(box.top - prev.top) < 2 && box.left < prev.left - 0.5) out.push(`${el.textContent ?? ''} @${i}`);
            prev = box;
          }
        }
        return out;
      }),
    );
  t.same(await reversed('thead th'), [], 'the column heads read left to right');
  const heads = await page.locator('thead th').allTextContents();
  t.same(heads.slice(1), ['#1 ? @lab\\u202eevil2025-01-01', '#2 ? @m2\\u202e2025-01-02', '#3 ? @plain2025-01-03'], 'the override shown as \\u202e');
  const xs = await page.locator('thead th').evaluateAll((ths) => ths.map((th) => th.getBoundingClientRect().left));
  t.same([...xs].sort((a, b) => a - b), xs, 'the columns in run order');
  await page.locator('tr[data-id="iouring/shared/memfd"] td.cell[data-run="1"]').click();
  t.equal(await page.locator('#d-verdict').textContent(), 'fail');
  t.same(await reversed('#details dd'), [], 'the details read left to right');
  t.match(await page.locator('#d-reason').textContent(), /\\u202eliat desrever \\u2067open isolate$/);
  t.equal(await page.locator('#d-date').textContent(), '2025-01-02T00:00:00.000Z', 'the date after the label, intact');
  t.notMatch(await page.locator('body').innerText(), BIDI, 'no control character left in the page');
});
