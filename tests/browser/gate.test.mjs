// The offline gate in real Chromium: an officer plans and calls households
// forward (passes signed by the operation's key) and revokes one; the gate
// page downloads keys, revocations and manifests, goes offline (and is even
// reloaded offline), checks a valid, a forged, a revoked and an expired pass
// and a second scan of the valid one with WebCrypto Ed25519, then syncs when
// the network returns. The server has each check-in exactly once, also when
// the same scans are sent again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMuster, password } from './server.mjs';

const OP = 'kabul-2021';
let muster, browser, base;

before(async () => {
  muster = await startMuster();
  ({ browser, base } = muster);
});

after(async () => {
  await muster?.stop();
});

async function signedIn(username) {
  const context = await browser.newContext({ viewport: { width: 420, height: 860 } });
  const r = await context.request.post(`${base}/api/session`, { data: { username, password } });
  assert.equal(r.status(), 200, `sign in as ${username}`);
  return context;
}

function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

async function verdictAfterScanning(page, token) {
  const before = await page.locator('#verdict').getAttribute('data-scan');
  await page.locator('#scan').fill(token);
  await page.locator('#scan').press('Enter');
  // Before the first scan the attribute is missing: getAttribute gives null, dataset
  // undefined, so both sides are read the same way (undefined !== null passed at once,
  // before the scan was checked, and the verdict read was null).
  await page.waitForFunction(
    (b) => document.querySelector('#verdict').getAttribute('data-scan') !== b,
    before,
  );
  return page.locator('#verdict').getAttribute('data-verdict');
}

test('the gate checks passes offline and syncs each check-in once', async () => {
  const officer = await signedIn('officer');
  const api = officer.request;
  // Plan the demo's eligible households onto the airlift, then call four forward.
  const proposed = await api.post(`${base}/api/operations/${OP}/plans`, { data: {} });
  assert.equal(proposed.status(), 201);
  const { plan } = await proposed.json();
  assert.equal((await api.post(`${base}/api/plans/${plan.id}/approve`, { data: {} })).status(), 200);
  const passes = [];
  for (const a of plan.assignments) {
    if (passes.length === 4) break;
    const r = await api.post(`${base}/api/cases/${a.case_id}/call-forward`, { data: {} });
    if (r.status() === 201) passes.push({ case_id: a.case_id, ...(await r.json()) });
  }
  assert.equal(passes.length, 4, 'four households called forward');
  const [valid, toForge, toRevoke, toExpire] = passes;
  for (const p of passes) {
    assert.match(p.code, /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    assert.ok(!/Nabi|Ahmad|Mohammad/.test(Buffer.from(p.token.split('.')[1], 'base64url').toString()));
  }
  const revoked = await api.post(`${base}/api/passes/${toRevoke.pass_id}/revoke`, { data: { reason: 'moved to a later flight' } });
  assert.equal(revoked.status(), 200);
  // A forger raises the household size and keeps the signature.
  const [h, body, sig] = toForge.token.split('.');
  const bigger = Buffer.from(JSON.stringify({ ...claimsOf(toForge.token), hh: 12 })).toString('base64url');
  const forged = `${h}.${bigger}.${sig}`;
  assert.notEqual(bigger, body);

  // The pass page shows the QR code and the code, in the household's language.
  const passPage = await officer.newPage();
  await passPage.goto(`${base}${valid.page}`);
  assert.equal(await passPage.locator('#pass-code').innerText(), valid.code);
  assert.ok(await passPage.locator('#qr svg').isVisible());
  await passPage.close();

  // A standard verifier in the browser: WebCrypto checks the pass against the JWKS as published.
  const jwksOk = await passPage.context().newPage().then(async (p) => {
    await p.goto(`${base}/gate/`);
    const ok = await p.evaluate(async ({ url, token }) => {
      const jwks = await (await fetch(url)).json();
      const [hd, pl, sg] = token.split('.');
      const header = JSON.parse(atob(hd.replace(/-/g, '+').replace(/_/g, '/')));
      const jwk = jwks.keys.find((k) => k.kid === header.kid);
      const key = await crypto.subtle.importKey('jwk', jwk, { name: 'Ed25519' }, false, ['verify']);
      const b = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '=='.slice(0, (4 - s.length % 4) % 4)), (c) => c.charCodeAt(0));
      return crypto.subtle.verify({ name: 'Ed25519' }, key, b(sg), new TextEncoder().encode(`${hd}.${pl}`));
    }, { url: `${base}/api/operations/${OP}/jwks.json`, token: valid.token });
    await p.close();
    return ok;
  });
  assert.equal(jwksOk, true, 'WebCrypto verifies a pass with the JWKS');

  // The gate officer's device.
  const gate = await signedIn('gate');
  const page = await gate.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text()); });
  await page.goto(`${base}/gate/`);
  await page.waitForSelector('body[data-ready=true]');
  await page.evaluate(() => navigator.serviceWorker.ready);
  assert.match(await page.locator('#data-state').innerText(), /revoked/);

  await gate.setOffline(true);
  await page.reload();
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(await page.locator('#net').innerText(), 'OFFLINE');

  const v = claimsOf(valid.token);
  await page.clock.setFixedTime(new Date((v.nbf + 60) * 1000));
  assert.equal(await verdictAfterScanning(page, valid.token), 'valid');
  assert.match(await page.locator('#verdict').innerText(), /VALID/);
  assert.ok((await page.locator('#household li').count()) >= 1, 'the names from the manifest');
  assert.equal(await verdictAfterScanning(page, forged), 'forged');
  assert.match(await page.locator('#verdict').innerText(), /FORGED/);
  assert.equal(await verdictAfterScanning(page, toRevoke.token), 'revoked');
  assert.equal(await verdictAfterScanning(page, valid.token), 'already_used');
  assert.match(await page.locator('#verdict').innerText(), /ALREADY USED/);
  const e = claimsOf(toExpire.token);
  await page.clock.setFixedTime(new Date((e.exp + 60) * 1000));
  assert.equal(await verdictAfterScanning(page, toExpire.token), 'expired');
  assert.match(await page.locator('#verdict').innerText(), /EXPIRED/);
  assert.equal(await page.locator('#pending').innerText(), '5', 'five scans wait for the network');

  // The network returns: the scans go to the server.
  await gate.setOffline(false);
  await page.locator('#sync').click();
  await page.waitForFunction(() => document.querySelector('#pending').textContent === '0');

  const check = async (p) => (await (await gate.request.get(`${base}/api/passes/${p.pass_id}`)).json());
  const admitted = await check(valid);
  assert.equal(admitted.check_ins, 1, 'one check-in');
  assert.equal(admitted.scans.length, 2, 'both scans kept (the second one refused)');
  assert.deepEqual(admitted.scans.map((s) => s.verdict).sort(), ['already_used', 'valid']);
  assert.ok(admitted.scans.every((s) => s.gate === 'Gate 1' && s.device_id.startsWith('gate-')));
  assert.equal((await check(toRevoke)).check_ins, 0);
  assert.equal((await check(toExpire)).check_ins, 0);
  assert.equal((await check(toExpire)).scans[0].verdict, 'expired');
  const cases = await (await api.get(`${base}/api/cases/${valid.case_id}`)).json();
  assert.equal(cases.status, 'checked_in');

  // The same scans sent again (a lost answer, a retry): nothing doubles.
  const again = await page.evaluate(async (op) => {
    const db = await new Promise((res) => { const r = indexedDB.open('muster-gate'); r.onsuccess = () => res(r.result); });
    const scans = await new Promise((res) => { const r = db.transaction('scans').objectStore('scans').getAll(); r.onsuccess = () => res(r.result); });
    const body = JSON.stringify({ operation: op, scans: scans.map(({ synced, ...s }) => s) });
    const r = await fetch('/api/gate/scans', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return r.json();
  }, OP);
  assert.deepEqual(again, { accepted: 0, duplicates: 5, applied: 0 });
  assert.equal((await check(valid)).check_ins, 1);

  // Signing out wipes the device.
  await page.locator('#sign-out').click();
  await page.waitForURL(/\/login/);
  const left = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  assert.ok(!left.includes('muster-gate'), 'no gate data left on the device');
  assert.deepEqual(errors, []);
  await gate.close();
  await officer.close();
});
