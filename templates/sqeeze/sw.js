/* Sqeeze service worker, served at /sw.js (scope "/") by sqeeze.pwa.service_worker.

   1. The static shell and the offline page. Static files (GET /static/…) come
      from a cache named after the deployed static files: a deploy brings a new
      worker with a new cache, and the old cache is deleted when it takes over.
      Pages always come from the network; only when the network fails does the
      worker answer with the offline page it keeps. Nothing else is ever kept:
      no page HTML, no answer made for a person. The offline page itself is
      fetched without cookies, as nobody, so it is the same for everyone.
   2. Web push: shows a message and opens its page when clicked. The payload is
      JSON: {title, body, url, icon, tag}. */
"use strict";

const CACHE_PREFIX = "sqeeze-shell-";
const CACHE_NAME = CACHE_PREFIX + "{{ cache_version|escapejs }}";
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const STATIC_BASE = new URL("{{ static_url|escapejs }}", self.location.origin).href;
const SHELL_URLS = {{ shell_urls_json|safe }};
const LANGUAGES = {{ languages_json|safe }};

const DEFAULT_TITLE = "{{ site_name|escapejs }}";
const DEFAULT_ICON = "{{ icon_url|escapejs }}";
const DEFAULT_URL = "{{ inbox_url|escapejs }}";

// --- the cache ---------------------------------------------------------------

// Only a complete, same-origin answer that was made to be kept.
function keepable(response) {
  if (!response || response.status !== 200 || response.type !== "basic" || response.redirected) {
    return false;
  }
  const cacheControl = response.headers.get("Cache-Control") || "";
  return !/no-store|private/i.test(cacheControl);
}

// Without cookies: what is kept can never be one person's.
async function fetchAnonymously(url, headers) {
  return fetch(url, { credentials: "omit", cache: "no-cache", headers: headers || {} });
}

async function precache() {
  const cache = await caches.open(CACHE_NAME);
  await Promise.all(
    SHELL_URLS.map(async (url) => {
      try {
        const response = await fetchAnonymously(url);
        if (keepable(response)) {
          await cache.put(url, response);
        }
      } catch (error) {
        // Offline while installing: the file joins the cache when a page asks for it.
      }
    })
  );
}

// The offline page in the language of the pages the person reads: a page tells
// the worker its language (static/js/pwa.js), and the kept copy follows.
async function keepOfflinePageIn(language) {
  const cache = await caches.open(CACHE_NAME);
  const kept = await cache.match(OFFLINE_URL, { ignoreVary: true });
  if (kept && kept.headers.get("Content-Language") === language) {
    return;
  }
  try {
    const response = await fetchAnonymously(OFFLINE_URL, { "Accept-Language": language });
    if (keepable(response)) {
      await cache.put(OFFLINE_URL, response);
    }
  } catch (error) {
    // Offline: keep the copy there is.
  }
}

self.addEventListener("install", (event) => {
  // A push message must keep working even if the shell cannot be fetched now.
  event.waitUntil(precache().finally(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
          .map((name) => caches.delete(name))
      );
      // The page's request starts while the worker wakes up, not after.
      if (self.registration.navigationPreload) {
        await self.registration.navigationPreload.enable();
      }
      await self.clients.claim();
    })()
  );
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "language" && LANGUAGES.includes(data.language)) {
    event.waitUntil(keepOfflinePageIn(data.language));
  }
});

// Pages: the network, always; the offline page only when it fails. Never kept.
async function navigate(event) {
  try {
    const preloaded = await event.preloadResponse;
    if (preloaded) {
      return preloaded;
    }
    return await fetch(event.request);
  } catch (error) {
    const cache = await caches.open(CACHE_NAME);
    const offline = await cache.match(OFFLINE_URL, { ignoreVary: true });
    return offline || Response.error();
  }
}

// Static files: from the cache, else from the network and then kept.
async function staticFile(event) {
  const cache = await caches.open(CACHE_NAME);
  const kept = await cache.match(event.request, { ignoreVary: true });
  if (kept) {
    return kept;
  }
  const response = await fetch(event.request);
  const type = response.headers.get("Content-Type") || "";
  if (keepable(response) && !type.startsWith("text/html")) {
    event.waitUntil(cache.put(event.request, response.clone()));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return; // the browser's own handling: forms, uploads, other sites
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(event));
  } else if (request.url.startsWith(STATIC_BASE)) {
    event.respondWith(staticFile(event));
  }
  // Anything else (htmx fragments, JSON, files, media) goes straight to the network.
});

// --- web push -------------------------------------------------------------------

// Only pages of this site: a message must never open another site.
function sameOriginUrl(raw) {
  try {
    const url = new URL(raw, self.location.origin);
    if (url.origin === self.location.origin) {
      return url.href;
    }
  } catch (error) {
    // fall through to the inbox
  }
  return new URL(DEFAULT_URL, self.location.origin).href;
}

function text(value, fallback) {
  return typeof value === "string" && value ? value : fallback;
}

self.addEventListener("push", (event) => {
  let data = {};
  if (event.data) {
    try {
      data = event.data.json() || {};
    } catch (error) {
      data = { body: event.data.text() };
    }
  }
  const options = {
    body: text(data.body, ""),
    icon: text(data.icon, DEFAULT_ICON),
    data: { url: sameOriginUrl(text(data.url, DEFAULT_URL)) },
  };
  if (text(data.tag, "")) {
    options.tag = data.tag;
  }
  event.waitUntil(self.registration.showNotification(text(data.title, DEFAULT_TITLE), options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = sameOriginUrl(event.notification.data && event.notification.data.url);
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (client.url === target && "focus" in client) {
          return client.focus();
        }
      }
      return self.clients.openWindow(target);
    })
  );
});
