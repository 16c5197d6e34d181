// Signs in, sees the posture board, opens a case: in real Chromium, against
// a real `muster demo` on loopback.
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

test('an officer signs in, reads the posture board and opens a case', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login$/);
  await page.getByLabel('Username').fill('officer');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/operations\/kabul-2021\/posts$/);

  const germany = page.locator('article.post', { hasText: 'Embassy of Germany' });
  await assert.doesNotReject(germany.waitFor());
  assert.match(await germany.locator('.posture').innerText(), /Evacuated/);
  assert.equal(await page.locator('article.post').count(), 7);
  await germany.locator('summary').click();
  assert.match(await germany.locator('.history').innerText(), /absolute minimum/);
  if (process.env.MUSTER_SCREENSHOT) await page.screenshot({ path: process.env.MUSTER_SCREENSHOT, fullPage: true });

  await page.getByRole('link', { name: 'Cases' }).click();
  await page.waitForURL(/\/cases$/);
  const first = page.locator('table.cases tbody a').first();
  const reference = await first.innerText();
  await first.click();
  await page.waitForURL(/\/cases\/[0-9a-f-]+$/);
  assert.match(await page.locator('h1').innerText(), new RegExp(reference));
  assert.ok(await page.locator('table.members tbody tr').count() >= 1);
  assert.match(await page.locator('table.members').innerText(), /Principal/);
});
