// The dashboard in real Chromium against a real `muster demo`: it renders
// (pipeline, tile cartogram, charts, posts over time) without script, and
// its figures add up to the case lists they link to.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMuster, password } from './server.mjs';

let muster, browser, base;

before(async () => {
  muster = await startMuster();
  ({ browser, base } = muster);
});

after(async () => {
  await muster?.stop();
});

async function signIn(username) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
  return page;
}

/** Follows a figure's link and returns the total the case list states. */
async function followAndCount(page, link) {
  await Promise.all([page.waitForURL(/\/cases\?/), link.click()]);
  const total = Number(await page.locator('#case-total').getAttribute('data-total'));
  await page.goBack();
  return total;
}

test('the dashboard renders and its figures add up to the case lists', async () => {
  const page = await signIn('officer');
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.waitForURL(/\/operations\/kabul-2021\/dashboard$/);
  assert.equal(await page.locator('script').count(), 0, 'no script on the page');
  for (const chart of ['bars', 'cartogram', 'lines', 'timeline']) {
    assert.ok(await page.locator(`svg.chart.${chart}`).count() >= 1, chart);
  }
  assert.equal(await page.locator('svg.cartogram g.tile').count(), 34, 'one tile per province');
  assert.equal(await page.locator('svg.timeline text', { hasText: 'Embassy of Germany' }).count(), 1);
  if (process.env.MUSTER_SCREENSHOT) await page.screenshot({ path: process.env.MUSTER_SCREENSHOT, fullPage: true });

  // The pipeline's totals: registered is every case of the operation.
  const totals = page.locator('#pipeline td.figure');
  assert.equal(await totals.count(), 7);
  const registered = Number(await totals.nth(0).getAttribute('data-households'));
  assert.equal(registered, 3000);
  for (const i of [0, 1, 5, 6]) {
    const cell = totals.nth(i);
    const figure = Number(await cell.getAttribute('data-households'));
    assert.equal(await followAndCount(page, cell.locator('a')), figure, `pipeline column ${i}`);
  }

  // A scheme's eligible households, and a tier's scheduled ones.
  for (const [table, row, col] of [['#by-scheme', 0, 1], ['#by-tier', 0, 2], ['#by-province', 0, 6]]) {
    const cell = page.locator(`${table} tbody tr`).nth(row).locator('td.figure').nth(col);
    const figure = Number(await cell.getAttribute('data-households'));
    assert.ok(figure > 0, `${table} has households`);
    assert.equal(await followAndCount(page, cell.locator('a')), figure, table);
  }

  // The province tiles: Kabul's households still in the country.
  const kabul = page.locator('svg.cartogram g.tile[data-province="AF-KAB"]');
  const inKabul = Number(await kabul.getAttribute('data-value'));
  assert.ok(inKabul > 0);
  assert.equal(await followAndCount(page, kabul.locator('rect')), inKabul);

  // The tiles and the not-known figure add up to the stage's total.
  const tiles = await page.locator('svg.cartogram g.tile').evaluateAll(
    (gs) => gs.reduce((sum, g) => sum + Number(g.getAttribute('data-value')), 0));
  const unknown = Number(await page.locator('#map .figure').getAttribute('data-households'));
  const inCountry = Number(await totals.nth(6).getAttribute('data-households'));
  assert.equal(tiles + unknown, inCountry);
});

test('an auditor sees the figures but no way to the lists', async () => {
  const page = await signIn('auditor');
  await page.goto(`${base}/operations/kabul-2021/dashboard`);
  const figures = page.locator('#pipeline td.figure');
  assert.equal(Number(await figures.first().getAttribute('data-households')), 3000);
  assert.equal(await page.locator('a[href*="/cases"]').count(), 0);
  const res = await page.goto(`${base}/operations/kabul-2021/cases`);
  assert.equal(res.status(), 403);
});
