/* Web push on the notification settings page: turn push on or off for this
   browser. Markup and every message come from
   templates/notifications/_push_control.html (data-* attributes). */
(function () {
  "use strict";

  function base64UrlToBytes(text) {
    const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    const raw = atob(padded);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function sameBytes(buffer, bytes) {
    if (!buffer) {
      return false;
    }
    const view = new Uint8Array(buffer);
    return view.length === bytes.length && view.every((value, index) => value === bytes[index]);
  }

  function cookie(name) {
    const prefix = name + "=";
    for (const part of document.cookie.split(";")) {
      const item = part.trim();
      if (item.startsWith(prefix)) {
        return decodeURIComponent(item.slice(prefix.length));
      }
    }
    return "";
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function setUp(root) {
    if (root.dataset.pushReady) {
      return;
    }
    root.dataset.pushReady = "true";
    const key = root.dataset.vapidPublicKey;
    const state = root.querySelector("[data-push-state]");
    if (!key || !state) {
      return; // push is not configured: the template says so
    }
    const applicationServerKey = base64UrlToBytes(key);
    const list = root.querySelector("[data-push-browsers]");
    const none = root.querySelector("[data-push-none]");
    const template = root.querySelector("template[data-push-browser-template]");
    const subscribeButton = root.querySelector("[data-push-subscribe]");
    const unsubscribeButton = root.querySelector("[data-push-unsubscribe]");
    let busy = false;

    function show(name, message) {
      state.dataset.pushState = name;
      state.textContent = message || root.dataset["msg" + name[0].toUpperCase() + name.slice(1)];
      for (const part of root.querySelectorAll("[data-push-when]")) {
        part.hidden = part.dataset.pushWhen !== name;
      }
      subscribeButton.disabled = busy;
      unsubscribeButton.disabled = busy;
    }

    function listed(endpoint) {
      return Array.from(list.querySelectorAll("li[data-endpoint]")).find(
        (item) => item.dataset.endpoint === endpoint
      );
    }

    function markThisBrowser(endpoint) {
      for (const item of list.querySelectorAll("li[data-endpoint]")) {
        const mark = item.querySelector("[data-this-browser]");
        if (mark) {
          mark.hidden = item.dataset.endpoint !== endpoint;
        }
      }
    }

    function addToList(data) {
      let item = listed(data.endpoint);
      if (!item) {
        item = template.content.firstElementChild.cloneNode(true);
        list.prepend(item);
      }
      item.dataset.endpoint = data.endpoint;
      item.querySelector("[data-browser]").textContent = data.browser;
      const created = item.querySelector("[data-created]");
      if (created) {
        created.textContent = data.created_at_display;
        created.setAttribute("datetime", data.created_at || "");
      }
      item.querySelector("input[name=endpoint]").value = data.endpoint;
      none.hidden = true;
    }

    function removeFromList(endpoint) {
      const item = listed(endpoint);
      if (item) {
        item.remove();
      }
      none.hidden = list.querySelector("li[data-endpoint]") !== null;
    }

    async function post(url, body) {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": root.dataset.csrfToken || cookie("csrftoken"),
        },
        body: JSON.stringify(body),
      });
      let data = {};
      try {
        data = await response.json();
      } catch (error) {
        data = {};
      }
      return { ok: response.ok, status: response.status, data: data };
    }

    async function currentSubscription() {
      const registration = await navigator.serviceWorker.getRegistration("/");
      return registration ? registration.pushManager.getSubscription() : null;
    }

    async function refresh() {
      if (!window.isSecureContext) {
        show("insecure");
        return;
      }
      if (!supported()) {
        show("unsupported");
        return;
      }
      if (Notification.permission === "denied") {
        show("blocked");
        return;
      }
      const subscription = await currentSubscription();
      const mine = subscription && listed(subscription.endpoint);
      markThisBrowser(mine ? subscription.endpoint : null);
      show(mine && Notification.permission === "granted" ? "on" : "off");
    }

    async function subscribe() {
      const permission = await Notification.requestPermission();
      if (permission === "denied") {
        show("blocked");
        return;
      }
      if (permission !== "granted") {
        show("off", root.dataset.msgDismissed);
        return;
      }
      const registration = await navigator.serviceWorker.register(root.dataset.swUrl, {
        scope: "/",
      });
      await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      if (
        subscription &&
        !sameBytes(subscription.options && subscription.options.applicationServerKey, applicationServerKey)
      ) {
        // Made with an earlier server key: push services would refuse our messages.
        await subscription.unsubscribe();
        subscription = null;
      }
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: applicationServerKey,
        });
      }
      const answer = await post(root.dataset.subscribeUrl, subscription.toJSON());
      if (!answer.ok) {
        show("off", answer.data.error || root.dataset.msgFailed);
        return;
      }
      addToList(answer.data.subscription);
      markThisBrowser(subscription.endpoint);
      show("on");
    }

    async function unsubscribe() {
      const subscription = await currentSubscription();
      if (subscription) {
        const answer = await post(root.dataset.unsubscribeUrl, { endpoint: subscription.endpoint });
        if (!answer.ok && answer.status !== 404) {
          show("on", answer.data.error || root.dataset.msgFailed);
          return;
        }
        removeFromList(subscription.endpoint);
        await subscription.unsubscribe();
      }
      show("off");
    }

    function run(action) {
      return async function () {
        if (busy) {
          return;
        }
        busy = true;
        show(state.dataset.pushState, root.dataset.msgWorking);
        try {
          await action();
        } catch (error) {
          busy = false;
          await refresh().catch(() => undefined);
          state.textContent = root.dataset.msgFailed;
          return;
        }
        busy = false;
        show(state.dataset.pushState, state.textContent);
      };
    }

    subscribeButton.addEventListener("click", run(subscribe));
    unsubscribeButton.addEventListener("click", run(unsubscribe));
    refresh().catch(() => show("unsupported"));
  }

  function setUpAll(scope) {
    if (scope.matches && scope.matches("[data-push-control]")) {
      setUp(scope);
    }
    for (const root of scope.querySelectorAll("[data-push-control]")) {
      setUp(root);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => setUpAll(document));
  } else {
    setUpAll(document);
  }
  // A control swapped in by htmx sets itself up too.
  document.addEventListener("htmx:load", (event) => setUpAll(event.detail.elt || event.target));
})();
