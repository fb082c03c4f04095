/*
 * The dock's service worker: keeps the dock's own page and assets so the panel still opens when OBS starts
 * before the helper (OBS loads its docks at start-up, and the OBS script starts the helper at about the same
 * time). Without it OBS would show Chromium's error page; with it the dock opens, says it is waiting for the
 * helper, and carries on when the helper answers. Network first (a new build is picked up at once), the cache
 * only when the helper does not answer. The local API (/api/) is never cached: it carries the token and live data.
 */
// stamped with the build by vite.config.ts (precacheManifest): a new build installs anew and drops the old cache
const CACHE = 'artc-dock-dev';

self.addEventListener('install', (event) => event.waitUntil(precache().then(() => self.skipWaiting())));
self.addEventListener('activate', (event) =>
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(names.filter((n) => n.startsWith('artc-dock-') && n !== CACHE).map((n) => caches.delete(n))),
      )
      .then(() => self.clients.claim()),
  ),
);

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  event.respondWith(fromNetworkElseCache(req, url));
});

/**
 * The page and every asset of the build (precache.json, written by vite.config.ts): the first load happened before
 * this worker controlled it, and the chunks fetched later (the supervisor, zh-CN) must be there offline too.
 */
async function precache() {
  const cache = await caches.open(CACHE);
  const page = new URL('./', self.location.href);
  const res = await fetch(page, { cache: 'no-store' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(new Request(page.href), res);
  const href = (a) => new URL(a, page).href;
  const named = [...html.matchAll(/(?:src|href)="(\.?\/?assets\/[^"]+)"/g)].map((m) => href(m[1]));
  // what the page needs to open must all be there (else no worker); the later chunks are kept as they come
  await cache.addAll(named);
  const listed = await fetch(href('./precache.json'), { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : []))
    .catch(() => []);
  const later = (Array.isArray(listed) ? listed : []).map(href).filter((a) => !named.includes(a));
  await Promise.allSettled(later.map((a) => cache.add(a)));
}

async function fromNetworkElseCache(req, url) {
  const cache = await caches.open(CACHE);
  // the page is cached under its path alone: its query holds the helper token, which must not be a cache key
  const key = req.mode === 'navigate' ? new Request(url.origin + url.pathname) : req;
  try {
    const res = await fetch(req);
    if (res.ok) await cache.put(key, res.clone());
    // an asset a newer helper no longer has (an upgrade renamed its hash): the page that asks for it is the cached
    // one, so its own cached copy is the right answer
    else if (url.pathname.includes('/assets/')) return (await cache.match(key)) ?? res;
    return res;
  } catch (err) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw err;
  }
}
