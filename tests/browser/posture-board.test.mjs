// Signs in, sees the posture board, opens a case: in real Chromium, against
// a real `muster demo` on loopback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

const bin = process.env.MUSTER_BIN;
const password = 'browser test password';
let server, browser, base, dataDir;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitForHealth(url, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try { if ((await fetch(`${url}/api/health`)).ok) return; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('muster did not start');
}

before(async () => {
  assert.ok(bin, 'MUSTER_BIN names the muster binary');
  dataDir = mkdtempSync(join(tmpdir(), 'muster-browser-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ['demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--password', password],
    { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForHealth(base, 60_000);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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
