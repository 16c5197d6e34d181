// The gate's service worker: keeps the page's own files so that it opens
// with no network. Data (keys, manifests, revocations) lives in IndexedDB,
// encrypted; API calls are never cached here.
const SHELL = 'muster-gate-shell-v1';
const FILES = ['/gate/', '/gate/gate.js', '/gate/gate.css', '/gate/manifest.webmanifest', '/gate/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== SHELL) await caches.delete(name);
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !FILES.includes(url.pathname)) return;
  // Network first, so that a new version reaches the gate when online; the
  // cached copy when not.
  event.respondWith((async () => {
    try {
      const fresh = await fetch(event.request);
      if (fresh.ok) (await caches.open(SHELL)).put(event.request, fresh.clone());
      return fresh;
    } catch {
      const cached = await caches.match(event.request, { ignoreSearch: true });
      return cached || Response.error();
    }
  })());
});
