// HQ starts a roll call of the Danish embassy's staff; the demo server sends
// each of them an SMS through a gateway this test runs on loopback; one of
// them opens the link in Dari (right to left), answers "safe", and HQ's page
// counts it. In real Chromium, with no script on either page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startMuster, password } from './server.mjs';

let muster, browser, base, gateway;
const received = [];

before(async () => {
  gateway = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ key: req.headers['idempotency-key'], body: JSON.parse(body) });
      res.writeHead(202).end();
    });
  });
  await new Promise((r) => gateway.listen(0, '127.0.0.1', r));
  const smsUrl = `http://127.0.0.1:${gateway.address().port}/sms`;
  muster = await startMuster(['--sms-url', smsUrl]);
  ({ browser, base } = muster);
});

after(async () => {
  await muster?.stop();
  gateway?.close();
});

async function count(page, id) {
  return Number(await page.locator(`#count-${id}`).innerText());
}

test('a roll call answered in Dari is counted on the HQ page', async () => {
  const hq = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await hq.goto(`${base}/login`);
  await hq.getByLabel('Username').fill('hq');
  await hq.getByLabel('Password').fill(password);
  await hq.getByRole('button', { name: 'Sign in' }).click();
  await hq.waitForURL(/\/operations\//);
  await hq.getByRole('link', { name: 'Roll calls' }).click();
  await hq.waitForURL(/\/roll-calls$/);
  await hq.locator('#scope').selectOption({ label: 'Staff of Embassy of Denmark' });
  await hq.getByRole('button', { name: 'Start the roll call' }).click();
  await hq.waitForURL(/\/roll-calls\/[0-9a-f-]+$/);
  const asked = await count(hq, 'asked');
  assert.ok(asked > 0, 'the embassy has staff with a phone');
  assert.equal(await count(hq, 'safe'), 0);
  assert.equal(await count(hq, 'unanswered'), asked);

  // The server's outbox sends the links through the gateway.
  const until = Date.now() + 60_000;
  while (received.length < asked && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  assert.equal(received.length, asked, 'one SMS per person asked');
  assert.equal(new Set(received.map((r) => r.key)).size, asked, 'each with its own idempotency key');
  const link = received[0].body.text.match(/http:\/\/127\.0\.0\.1:\d+\/roll-call\/[A-Za-z0-9_-]{43}/)?.[0];
  assert.ok(link, `a personal link in: ${received[0].body.text}`);

  const context = await browser.newContext({ locale: 'fa-AF', javaScriptEnabled: false, viewport: { width: 400, height: 800 } });
  const phone = await context.newPage();
  const response = await phone.goto(link);
  assert.equal(response.status(), 200);
  assert.ok((await response.body()).length < 20 * 1024, 'the answer page is small');
  assert.equal(await phone.locator('html').getAttribute('lang'), 'fa');
  assert.equal(await phone.locator('html').getAttribute('dir'), 'rtl');
  assert.equal(await phone.evaluate(() => getComputedStyle(document.querySelector('form')).direction), 'rtl');
  await phone.getByLabel('جایی که هستم در امان هستم').check();
  await phone.locator('#location').fill('کابل، شهر نو');
  await phone.getByRole('button', { name: 'پاسخ مرا بفرستید' }).click();
  await phone.getByText('تشکر. پاسخ شما دریافت شد.').waitFor();
  assert.match(await phone.locator('main').innerText(), /آخرین پاسخ شما:\s*جایی که هستم در امان هستم/);

  const reloaded = await hq.reload();
  assert.ok((await reloaded.body()).length < 100 * 1024, 'the HQ page stays under 100 KB');
  assert.equal(await count(hq, 'safe'), 1);
  assert.equal(await hq.locator('table tbody tr').count(), Math.min(asked - 1, 200), 'people to call, at most 200 on the page');
  assert.equal(await count(hq, 'unanswered'), asked - 1);
  await context.close();
});
