// The offline gate. While online it downloads the operation's public keys,
// the revocation list and the manifests of its movements, and keeps them in
// IndexedDB sealed with AES-GCM under a key that cannot leave the browser
// (non-extractable); it then checks passes with WebCrypto Ed25519 without any
// network, records every scan with this device's id, the gate and the time,
// and sends the scans when the network is back (each scan once, by its id).
// Signing out wipes everything on the device.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  const BATCH = 1000;
  const WORDS = {
    valid: 'VALID', forged: 'FORGED', revoked: 'REVOKED', expired: 'EXPIRED',
    not_yet_valid: 'NOT YET VALID', wrong_movement: 'WRONG MOVEMENT', already_used: 'ALREADY USED',
  };

  let db = null;
  let aesKey = null;
  let deviceId = null;
  let session = null;
  let bundle = null;
  let revoked = new Set();
  let households = new Map();
  const keyCache = new Map();
  const used = { check_in: new Set(), boarding: new Set() };
  let scanCount = 0;

  // --- IndexedDB, promised -------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const r = indexedDB.open('muster-gate', 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore('vault');
        r.result.createObjectStore('scans', { keyPath: 'id' });
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  }
  function inStore(store, mode, work) {
    return new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const req = work(t.objectStore(store));
      t.oncomplete = () => resolve(req ? req.result : undefined);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }
  const get = (store, key) => inStore(store, 'readonly', (s) => s.get(key));
  const put = (store, value, key) => inStore(store, 'readwrite', (s) => s.put(value, key));
  const all = (store) => inStore(store, 'readonly', (s) => s.getAll());

  // --- Sealing at rest ------------------------------------------------------
  async function deviceKey() {
    let key = await get('vault', 'key');
    if (!key) {
      key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      await put('vault', key, 'key');
    }
    return key;
  }
  async function seal(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aesKey, enc.encode(JSON.stringify(value)));
    return { iv, data };
  }
  async function unseal(box) {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: box.iv }, aesKey, box.data);
    return JSON.parse(dec.decode(plain));
  }

  // --- Passes ---------------------------------------------------------------
  function b64url(text) {
    let s = text.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  async function publicKey(kid) {
    if (keyCache.has(kid)) return keyCache.get(kid);
    const jwk = bundle && bundle.jwks.keys.find((k) => k.kid === kid);
    if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return null;
    const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
      { name: 'Ed25519' }, false, ['verify']);
    keyCache.set(kid, key);
    return key;
  }

  /** The claims of a pass signed by a published key, or null. */
  async function verify(token) {
    const parts = token.trim().split('.');
    if (parts.length !== 3) return null;
    let header;
    let claims;
    try {
      header = JSON.parse(dec.decode(b64url(parts[0])));
      claims = JSON.parse(dec.decode(b64url(parts[1])));
    } catch {
      return null;
    }
    if (header.alg !== 'EdDSA' || header.typ !== 'muster-pass+jwt') return null;
    const key = await publicKey(header.kid);
    if (!key) return null;
    try {
      const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, b64url(parts[2]),
        enc.encode(`${parts[0]}.${parts[1]}`));
      return ok ? claims : null;
    } catch {
      return null;
    }
  }

  /** What the gate says about a token, in the given step, for a movement. */
  async function judge(token, mode, movement) {
    const claims = await verify(token);
    if (!claims) return { verdict: 'forged', claims: null };
    if (revoked.has(claims.jti)) return { verdict: 'revoked', claims };
    const now = Date.now() / 1000;
    if (now >= claims.exp) return { verdict: 'expired', claims };
    if (now < claims.nbf) return { verdict: 'not_yet_valid', claims };
    if (movement && claims.mov !== movement) return { verdict: 'wrong_movement', claims };
    const known = households.get(claims.jti);
    const status = known ? known.household.status : null;
    const done = mode === 'check_in'
      ? used.check_in.has(claims.jti) || status === 'checked_in' || status === 'departed'
      : used.boarding.has(claims.jti) || status === 'departed';
    if (done) return { verdict: 'already_used', claims };
    return { verdict: 'valid', claims };
  }

  // --- Scans ----------------------------------------------------------------
  function mode() {
    return document.querySelector('input[name=mode]:checked').value;
  }

  async function record(verdict, claims) {
    const scan = {
      id: crypto.randomUUID(),
      // A forged token's claims are not to be believed: no pass id.
      pass_id: claims && verdict !== 'forged' ? claims.jti : null,
      kind: mode(),
      verdict,
      device_id: deviceId,
      gate: ($('gate-name').value.trim() || 'Gate').slice(0, 40),
      scanned_at: new Date().toISOString(),
      synced: 0,
    };
    await put('scans', scan);
    if (verdict === 'valid') used[scan.kind].add(scan.pass_id);
    return scan;
  }

  async function handle(input) {
    const text = input.trim();
    if (!text) return;
    let token = text;
    if (/^[2-9A-Za-z]{4}[- ]?[2-9A-Za-z]{4}$/.test(text)) {
      if (!navigator.onLine) return show('idle', 'CODE NEEDS NETWORK', 'Scan the QR code instead.');
      const r = await fetch(`/api/operations/${session.operation}/passes/by-code/${encodeURIComponent(text)}`)
        .catch(() => null);
      if (!r || !r.ok) return show('forged', 'UNKNOWN CODE', 'No pass has this code.');
      token = (await r.json()).token;
    }
    const { verdict, claims } = await judge(token, mode(), $('movement').value);
    await record(verdict, claims);
    show(verdict, WORDS[verdict], detail(verdict, claims), claims);
    await showPending();
    if (navigator.onLine) sync();
  }

  function detail(verdict, claims) {
    if (!claims) return 'The signature does not match any key of this operation.';
    const known = households.get(claims.jti);
    const size = `${claims.hh} person${claims.hh === 1 ? '' : 's'}`;
    if (verdict === 'valid' && known) return `${known.household.reference} · ${size} · ${known.movement.designator}`;
    if (verdict === 'wrong_movement') {
      const other = bundle && bundle.movements.find((m) => m.id === claims.mov);
      return `This pass is for ${other ? other.designator : 'another movement'}.`;
    }
    return size;
  }

  function show(kind, word, small, claims) {
    const v = $('verdict');
    v.className = `verdict ${kind}`;
    v.dataset.verdict = kind;
    scanCount += 1;
    v.dataset.scan = String(scanCount);
    v.textContent = word;
    const s = document.createElement('small');
    s.textContent = small || '';
    v.appendChild(s);
    const list = $('household');
    list.textContent = '';
    const last = kind === 'valid' && claims && households.get(claims.jti);
    if (last) {
      const ul = document.createElement('ul');
      for (const p of last.household.persons) {
        const li = document.createElement('li');
        li.textContent = p.name + (p.name_native ? ` · ${p.name_native}` : '');
        if (p.document) {
          const d = document.createElement('span');
          d.className = 'doc';
          d.textContent = ` · ${p.document}`;
          li.appendChild(d);
        }
        ul.appendChild(li);
      }
      list.appendChild(ul);
    }
  }

  async function showPending() {
    const n = (await all('scans')).filter((s) => !s.synced).length;
    $('pending').textContent = String(n);
    return n;
  }

  let syncing = null;
  /** Sends unsynced scans, a batch per request; each batch is one transaction on the server. */
  function sync() {
    if (!syncing) syncing = doSync().finally(() => { syncing = null; });
    return syncing;
  }
  async function doSync() {
    if (!session) return 0;
    let sent = 0;
    const marks = [];
    try {
      const pending = (await all('scans')).filter((s) => !s.synced);
      for (let i = 0; i < pending.length; i += BATCH) {
        const batch = pending.slice(i, i + BATCH);
        const scans = batch.map(({ synced, ...s }) => s);
        const r = await fetch('/api/gate/scans', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ operation: session.operation, scans }),
        });
        if (!r.ok) break;
        // Marked while the next batch is on its way; a scan marked late is
        // at worst sent again, which the server counts once.
        marks.push(inStore('scans', 'readwrite', (s) => { for (const b of batch) s.put({ ...b, synced: 1 }); }));
        sent += batch.length;
      }
      await Promise.all(marks);
    } catch {
      // Offline again: the scans wait for the next try.
      await Promise.allSettled(marks);
    }
    await showPending();
    return sent;
  }

  // --- Data from the server -------------------------------------------------
  function useBundle(b) {
    bundle = b;
    revoked = new Set(b.revoked.map((r) => r.id));
    households = new Map();
    keyCache.clear();
    const select = $('movement');
    const chosen = select.value;
    while (select.options.length > 1) select.remove(1);
    for (const m of b.movements) {
      for (const h of m.households) households.set(h.pass_id, { household: h, movement: m });
      select.add(new Option(`${m.designator} · ${m.departs_at.slice(0, 16).replace('T', ' ')}`, m.id));
    }
    select.value = chosen;
    $('data-state').textContent = `Data of ${b.generated_at.slice(0, 16).replace('T', ' ')} UTC: `
      + `${households.size} passes, ${revoked.size} revoked, ${b.jwks.keys.length} keys.`;
    document.body.dataset.ready = 'true';
  }

  async function refresh() {
    if (!session || !navigator.onLine) return false;
    try {
      const r = await fetch(`/api/operations/${session.operation}/gate/bundle`);
      if (r.status === 401) return wipe();
      if (!r.ok) return false;
      const b = await r.json();
      await put('vault', await seal(b), 'bundle');
      useBundle(b);
      return true;
    } catch {
      return false;
    }
  }

  async function wipe() {
    session = null;
    bundle = null;
    if (db) db.close();
    db = null;
    await new Promise((resolve) => {
      const r = indexedDB.deleteDatabase('muster-gate');
      r.onsuccess = r.onerror = r.onblocked = () => resolve();
    });
    $('gate').hidden = true;
    $('signed-out').hidden = false;
    return false;
  }

  function netState() {
    const el = $('net');
    el.textContent = navigator.onLine ? 'ONLINE' : 'OFFLINE';
    el.className = `net ${navigator.onLine ? 'online' : 'offline'}`;
  }

  async function start() {
    netState();
    if ('serviceWorker' in navigator) navigator.serviceWorker.register('/gate/sw.js', { scope: '/gate/' }).catch(() => {});
    db = await openDb();
    aesKey = await deviceKey();
    deviceId = await get('vault', 'device');
    if (!deviceId) {
      deviceId = `gate-${crypto.randomUUID().slice(0, 8)}`;
      await put('vault', deviceId, 'device');
    }
    if (navigator.onLine) {
      try {
        const r = await fetch('/api/session');
        if (r.status === 401) { await wipe(); return; }
        if (r.ok) {
          const s = await r.json();
          session = { operation: s.user.operation_id, username: s.user.username };
          await put('vault', await seal(session), 'session');
        }
      } catch { /* the network is not really there */ }
    }
    if (!session) {
      const box = await get('vault', 'session');
      if (box) session = await unseal(box);
    }
    if (!session || !session.operation) { $('signed-out').hidden = false; return; }
    $('gate').hidden = false;
    const box = await get('vault', 'bundle');
    if (box) useBundle(await unseal(box));
    for (const s of await all('scans')) if (s.verdict === 'valid' && s.pass_id) used[s.kind].add(s.pass_id);
    await showPending();
    await refresh();
    sync();
    $('scan').focus();
  }

  // --- Wiring ---------------------------------------------------------------
  document.addEventListener('DOMContentLoaded', () => {
    $('scan-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = $('scan').value;
      $('scan').value = '';
      try {
        await handle(value);
      } finally {
        $('scan').focus();
      }
    });
    $('refresh').addEventListener('click', refresh);
    $('sync').addEventListener('click', () => sync());
    $('sign-out').addEventListener('click', async () => {
      await fetch('/api/session', { method: 'DELETE' }).catch(() => null);
      await wipe();
      location.href = '/login';
    });
    window.addEventListener('online', () => { netState(); refresh(); sync(); });
    window.addEventListener('offline', netState);
    setInterval(() => { if (navigator.onLine) sync(); }, 15000);
    if ('BarcodeDetector' in window) {
      const button = $('camera');
      button.hidden = false;
      button.addEventListener('click', async () => {
        const video = $('video');
        video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        video.hidden = false;
        await video.play();
        const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
        let last = '';
        const look = async () => {
          const found = await detector.detect(video).catch(() => []);
          if (found.length && found[0].rawValue !== last) {
            last = found[0].rawValue;
            $('scan').value = last;
            $('scan-form').requestSubmit();
          }
          if (!video.hidden) setTimeout(look, 250);
        };
        look();
      });
    }
    start().catch((e) => show('forged', 'GATE ERROR', String(e)));
    // For the benchmark (bench/gate) and diagnostics: no data, only functions.
    window.musterGate = { verify, judge, sync, record, showPending };
  });
})();
