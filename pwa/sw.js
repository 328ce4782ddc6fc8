// Guichet's service worker: it only routes events; what to cache is decided by the server (VERSION, PRECACHE).
import { flushOutbox } from "/static/__V__/js/outbox.js";

const VERSION = "__V__";
const PRECACHE = __PRECACHE__;
const SHELL = `guichet-shell-${VERSION}`;
const EXPECTED = [SHELL];

self.addEventListener("install", (event) => {
  // Awaited: a version whose shell is not complete never installs.
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (!EXPECTED.includes(name)) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The page asks for the waiting version to take over once the person accepted the update.
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

// A status update: shown with the request's reference as tag, so a newer one replaces the older.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (notJson) { data = { body: event.data?.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Guichet", {
    body: data.body || "", tag: data.tag || "guichet", renotify: Boolean(data.tag), data: { url: data.url || "/" },
    icon: `/static/${VERSION}/icons/icon-192.png`, badge: `/static/${VERSION}/icons/badge-96.png`,
  }));
});

// A tap on the notification opens the request: in a window of ours if one is open, else a new one.
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = new URL(event.notification.data?.url || "/", self.location.origin);
  const target = new URL(link.pathname + link.search, self.location.origin).href;  // never another site
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const mine = windows.find((w) => new URL(w.url).origin === self.location.origin);
    if (mine) {
      await mine.focus();
      return mine.navigate(target);
    }
    return self.clients.openWindow(target);
  })());
});

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(flushOutbox());
});

// /api/ is network only (never a stale status); photos and map tiles keep to the browser's HTTP cache
// (they carry long cache headers), so a screen left while they load cancels them cleanly.
self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") return event.respondWith(navigation(request));
  if (url.pathname.startsWith("/static/")) return event.respondWith(cacheFirst(request));
});

async function navigation(request) {
  try {
    return await fetch(request);
  } catch (offline) {
    return (await caches.match("/", { cacheName: SHELL })) || Response.error();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
