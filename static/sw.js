// Harmony service worker: the app shell is precached under one versioned cache and served
// cache-first, so the app opens with no network and every file comes from the same version.
// A new version installs beside the old one and waits until the user taps "reload".
// harmony/pwa.py appends a digest of these files to CACHE_VERSION, so any change is a new version;
// tests/pwa checks the list is complete.
const CACHE_VERSION = 'harmony-shell-v1';
const API_CACHE = 'harmony-api';
const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/static/styles.css',
  '/static/icons/icon-192.png',
  '/static/icons/icon-512.png',
  '/static/i18n/zh-CN.json',
  '/static/i18n/en.json',
  '/static/js/api.js',
  '/static/js/app.js',
  '/static/js/db.js',
  '/static/js/i18n.js',
  '/static/js/live.js',
  '/static/js/router.js',
  '/static/js/session.js',
  '/static/js/store.js',
  '/static/js/sync.js',
  '/static/js/ui.js',
  '/static/js/update.js',
  '/static/js/screens/alerts.js',
  '/static/js/screens/card.js',
  '/static/js/screens/case-form.js',
  '/static/js/screens/case.js',
  '/static/js/screens/cases.js',
  '/static/js/screens/conflicts.js',
  '/static/js/screens/dashboard.js',
  '/static/js/screens/household.js',
  '/static/js/screens/households.js',
  '/static/js/screens/login.js',
  '/static/js/screens/me.js',
  '/static/js/screens/sync.js',
  '/static/js/screens/visit.js',
  '/static/vendor/dexie.min.mjs',
  '/static/vendor/qrcode.mjs',
  '/static/vendor/chart.umd.min.js',
];

self.addEventListener('install', event => {
  // cache: 'reload' skips the HTTP cache, so the new version never mixes in stale files.
  event.waitUntil(caches.open(CACHE_VERSION).then(cache =>
    cache.addAll(SHELL.map(url => new Request(url, { cache: 'reload' })))));
  // No skipWaiting here: the page asks for it when the user accepts the update.
});

self.addEventListener('activate', event => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter(n => n.startsWith('harmony-shell-') && n !== CACHE_VERSION).map(n => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('message', event => {
  const type = event.data && event.data.type;
  if (type === 'SKIP_WAITING') self.skipWaiting();
  if (type === 'CLEAR_API_CACHE') caches.delete(API_CACHE);
});

self.addEventListener('fetch', event => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) {
    // API writes always go to the network and are never cached (the outbox retries them).
    if (request.method !== 'GET') return;
    event.respondWith(networkFirst(request));
    return;
  }
  if (request.method !== 'GET') return;
  if (request.mode === 'navigate' && (url.pathname === '/' || url.pathname === '/index.html')) {
    event.respondWith(fromShell('/'));
    return;
  }
  if (url.pathname === '/sw.js') return;
  event.respondWith(fromShell(url.pathname, request));
});

async function fromShell(path, request) {
  const cache = await caches.open(CACHE_VERSION);
  const hit = await cache.match(path);
  if (hit) return hit;
  return fetch(request || path);
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !request.headers.has('Authorization')) {
      const cache = await caches.open(API_CACHE);
      cache.put(request, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await caches.match(request, { cacheName: API_CACHE });
    if (cached) return cached;
    return new Response(JSON.stringify({ error: { code: 'offline', message: 'No network connection.', fields: {} } }),
      { status: 503, headers: { 'Content-Type': 'application/json' } });
  }
}
