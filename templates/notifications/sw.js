/* Sqeeze service worker (served at /sw.js): shows web push messages and opens
   their page when clicked. The payload is JSON: {title, body, url, icon, tag}. */
"use strict";

const DEFAULT_TITLE = "Sqeeze";
const DEFAULT_ICON = "{{ icon_url|escapejs }}";
const DEFAULT_URL = "{{ inbox_url|escapejs }}";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

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
