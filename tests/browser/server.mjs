// Starts a real `muster demo` on a free loopback port and a real Chromium,
// for the browser tests; stops both afterwards.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const password = 'browser test password';

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

/** `{ base, browser, stop }` for a fresh demo operation; `args` go to `muster demo`. */
export async function startMuster(args = []) {
  const bin = process.env.MUSTER_BIN;
  assert.ok(bin, 'MUSTER_BIN names the muster binary');
  const dataDir = mkdtempSync(join(tmpdir(), 'muster-browser-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(bin, ['demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--password', password,
    '--public-url', base, ...args],
    { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitForHealth(base, 60_000);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const stop = async () => {
    await browser.close();
    server.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, browser, stop };
}
