// Gate benchmarks in real Chromium against a fresh `muster demo`:
//  1. pass verification: the gate page's own `verify` (base64url, JSON,
//     WebCrypto Ed25519) run many times in the page, median and p99 per pass;
//  2. sync: 10,000 scans queued in the page's IndexedDB (one valid check-in
//     for every household called forward, the rest scans the gate refused),
//     sent by the page's own `sync` (batches of 1,000, one transaction each),
//     timed from the first request to the last answer.
// Usage (see README.md beside this file):
//   MUSTER_BIN=$CARGO_TARGET_DIR/release/muster node bench/gate/bench.mjs
import assert from 'node:assert/strict';
import { startMuster, password } from '../../tests/browser/server.mjs';

const OP = 'kabul-2021';
const VERIFICATIONS = Number(process.env.VERIFICATIONS || 5000);
const SCANS = Number(process.env.SCANS || 10000);

const muster = await startMuster();
const { browser, base } = muster;
try {
  const officer = await browser.newContext();
  assert.equal((await officer.request.post(`${base}/api/session`, { data: { username: 'officer', password } })).status(), 200);
  const proposed = await (await officer.request.post(`${base}/api/operations/${OP}/plans`, { data: {} })).json();
  await officer.request.post(`${base}/api/plans/${proposed.plan.id}/approve`, { data: {} });
  const passes = [];
  for (const a of proposed.plan.assignments) {
    const r = await officer.request.post(`${base}/api/cases/${a.case_id}/call-forward`, { data: {} });
    if (r.status() === 201) passes.push(await r.json());
  }
  console.error(`${passes.length} households called forward`);

  const gate = await browser.newContext();
  await gate.request.post(`${base}/api/session`, { data: { username: 'gate', password } });
  const page = await gate.newPage();
  await page.goto(`${base}/gate/`);
  await page.waitForSelector('body[data-ready=true]');

  const tokens = passes.slice(0, 200).map((p) => p.token);
  const times = await page.evaluate(async ({ tokens, n }) => {
    for (const t of tokens) await window.musterGate.verify(t); // keys imported once
    const out = [];
    for (let i = 0; i < n; i++) {
      const token = tokens[i % tokens.length];
      const t0 = performance.now();
      const claims = await window.musterGate.verify(token);
      out.push(performance.now() - t0);
      if (!claims) throw new Error('a real pass did not verify');
    }
    return out;
  }, { tokens, n: VERIFICATIONS });
  times.sort((a, b) => a - b);
  const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];

  const queued = await page.evaluate(async ({ ids, total }) => {
    const db = await new Promise((res) => { const r = indexedDB.open('muster-gate'); r.onsuccess = () => res(r.result); });
    await new Promise((res, rej) => {
      const t = db.transaction('scans', 'readwrite');
      const s = t.objectStore('scans');
      const start = Date.now();
      for (let i = 0; i < total; i++) {
        const first = i < ids.length;
        s.put({
          id: crypto.randomUUID(),
          pass_id: ids[i % ids.length],
          kind: 'check_in',
          verdict: first ? 'valid' : 'already_used',
          device_id: `bench-${i % 4}`,
          gate: 'Gate 1',
          scanned_at: new Date(start + i * 1000).toISOString(),
          synced: 0,
        });
      }
      t.oncomplete = res;
      t.onerror = () => rej(t.error);
    });
    return window.musterGate.showPending();
  }, { ids: passes.map((p) => p.pass_id), total: SCANS });
  assert.equal(queued, SCANS);
  const synced = await page.evaluate(async () => {
    const t0 = performance.now();
    // Times each request, to tell the server's share from the page's.
    const requests = [];
    const fetch0 = window.fetch;
    window.fetch = async (...args) => {
      const s = performance.now();
      const r = await fetch0(...args);
      await r.clone().text();
      requests.push({ duration: performance.now() - s });
      return r;
    };
    const sent = await window.musterGate.sync();
    const ms = performance.now() - t0;
    window.fetch = fetch0;
    return {
      sent, ms, left: await window.musterGate.showPending(),
      requests: requests.map((e) => Math.round(e.duration)),
    };
  });
  assert.equal(synced.sent, SCANS);
  assert.equal(synced.left, 0);

  console.log('| measure | value |');
  console.log('| --- | ---: |');
  console.log(`| pass verifications in the page | ${times.length} |`);
  console.log(`| verification median | ${q(0.5).toFixed(3)} ms |`);
  console.log(`| verification p99 | ${q(0.99).toFixed(3)} ms |`);
  console.log(`| scans synced (valid check-ins among them) | ${SCANS} (${Math.min(SCANS, passes.length)}) |`);
  console.log(`| sync time, 10 requests of 1,000 | ${(synced.ms / 1000).toFixed(2)} s |`);
  console.log(`| of which waiting for the server (per request, ms) | ${synced.requests.join(', ')} |`);
} finally {
  await muster.stop();
}
