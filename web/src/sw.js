// Stampede's service worker: every file of the build is cached when the
// page is first loaded, so the site then works offline. The list and the
// version are written in by vite.config.ts at build time.
const FILES = __FILES__;
const CACHE = 'stampede-' + __VERSION__;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
    .then(() => self.clients.claim()));
});

// Cached first; anything else (a lesson's picture) from the network, and
// kept for the next time offline.
self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET') return;
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  url.hash = '';
  url.search = '';
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const hit = await cache.match(url.href);
    if (hit) return hit;
    const response = await fetch(event.request);
    if (response.ok) cache.put(url.href, response.clone());
    return response;
  }));
});
