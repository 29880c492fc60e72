/* Every page registers the site's service worker (templates/sqeeze/sw.js):
   the static shell, the offline page and web push. Its URL comes from this
   script's data-sw-url (no inline script: CSP). static/js/push.js registers
   the same worker with the same scope, so there is only ever one. */
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script || !script.dataset.swUrl || !("serviceWorker" in navigator) || !window.isSecureContext) {
    return;
  }
  const workerUrl = script.dataset.swUrl;

  // The worker keeps its offline page in the language of the pages read here.
  function tellLanguage(registration) {
    const language = document.documentElement.lang;
    if (registration.active && language) {
      registration.active.postMessage({ type: "language", language: language });
    }
  }

  // After the page's own files: the worker and its cache are never in their way.
  window.addEventListener("load", function () {
    navigator.serviceWorker
      .register(workerUrl, { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(tellLanguage)
      .catch(function () {
        // No worker (private mode, storage full): the site works as before.
      });
  });
})();
