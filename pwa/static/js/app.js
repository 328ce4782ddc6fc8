// Starts the app: language, session, routes, the service worker and the outbox.
import * as api from "./api.js";
import { language, t, useLanguage } from "./i18n.js";
import * as outbox from "./outbox.js";
import { navigate, start } from "./router.js";
import { announce, clearNotice, h, isStaff } from "./ui.js";

const app = { session: { user: null }, config: null, navigate };
const view = document.querySelector("[data-js=view]");

app.refreshSession = async () => {
  try {
    app.session = await api.session();
    if (app.session.user) localStorage.setItem("guichet.session", JSON.stringify({ user: app.session.user }));
    else forgetDevice();
  } catch (error) {
    // Offline at start: who was signed in, so that the field agent's list and queued changes stay at hand.
    const known = error.code === "network" && JSON.parse(localStorage.getItem("guichet.session") || "null");
    if (!known) throw error;
    app.session = { ...known, offline: true };
  }
  app.setUnread(app.session.unread_messages || 0);
  document.querySelector("[data-tab=agent]").hidden = !isStaff(app.session.user);  // staff have their own tab
  app.drawTown();
  return app.session;
};

/** What a signed-in person left on this device: forgotten when they sign out (or the session ends). */
function forgetDevice() {
  localStorage.removeItem("guichet.session");
  localStorage.removeItem("guichet.field");
}

/** The unread count, on the "Demandes" tab (as text for screen readers) and on the installed app's icon. */
app.setUnread = (count) => {
  const tab = document.querySelector("[data-tab=requests]");
  tab.querySelector(".badge")?.remove();
  if (count) tab.append(h("span", { class: "badge" }, String(count), h("span", { class: "visually-hidden" }, ` ${t("messages.unread")}`)));
  if (count && navigator.setAppBadge) navigator.setAppBadge(count).catch(() => {});
  else if (navigator.clearAppBadge) navigator.clearAppBadge().catch(() => {});
};

app.setLanguage = async (lang) => {
  localStorage.setItem("guichet.language", lang);
  api.setLanguage(lang);
  await useLanguage(lang);
  const other = lang === "fr" ? "en" : "fr";
  const button = document.querySelector("[data-js=lang]");
  button.textContent = other === "en" ? "English" : "Français";  // each language named in itself
  button.lang = other;
  if (app.session.user && app.session.user.language !== lang) api.updateMe({ language: lang }).catch(() => {});
  app.drawTown();
};

/** The header names the town this person deals with: a staff member's organisation; for a citizen, the town of
 *  their last report on this phone, else the town the server is for. */
app.townSlug = () => {
  const config = app.config || {};
  const staff = (app.session.user?.roles || []).find((r) => r.role !== "citizen")?.organisation;
  const lastPlace = JSON.parse(localStorage.getItem("guichet.catalogues") || "[]")[0]?.organisation?.slug;
  const home = Object.keys(config.areas || {}).find((slug) => String(config.areas[slug]) === String(config.area));
  return [staff, lastPlace, home].find((s) => s && config.names?.[s]) || "";
};
app.drawTown = () => {
  const slug = app.townSlug();
  document.querySelector("[data-js=org]").textContent = slug ? app.config.names[slug][language()] : "";
};

async function render(screen, route) {
  view.replaceChildren();
  view.classList.toggle("wide", Boolean(screen.wide));  // the staff screens use a desk's width
  const done = await screen.render(view, { ...route, app });
  const title = view.querySelector("h1");
  document.title = title ? `${title.textContent} · Guichet` : "Guichet";
  if (route.state?.keepFocus !== true) (title || view).focus({ preventScroll: false });
  scrollTo(0, 0);
  return done;
}

/** Sends what waits in the outbox and tells the person what left. */
app.flush = async () => {
  if (!navigator.onLine) return [];
  const sent = await outbox.flushOutbox().catch(() => []);
  if (sent.length) {
    announce(t("outbox.sent", { count: sent.length, refs: sent.map((r) => r.ref).join(", ") }), { kind: "ok" });
    document.dispatchEvent(new CustomEvent("guichet:outbox"));
  }
  return sent;
};

function watchNetwork() {
  const offline = () => announce(t("offline.notice"), { id: "offline", kind: "warn", action: h("span", {}, "") });
  addEventListener("offline", offline);
  addEventListener("online", () => { clearNotice("offline"); app.flush(); });
  if (!navigator.onLine) offline();
  outbox.onChange(() => document.dispatchEvent(new CustomEvent("guichet:outbox")));
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" });
  const offerUpdate = (worker) => {
    const button = h("button", { type: "button", class: "button", onclick: () => worker.postMessage("skip-waiting") },
      t("update.reload"));
    announce(t("update.available"), { id: "update", action: button });
  };
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloading || !document.querySelector("[data-notice=update]")) return;
    reloading = true;
    location.reload();
  });
}

app.requestBackgroundSync = async () => {
  try {
    const registration = await navigator.serviceWorker?.ready;
    await registration?.sync?.register("outbox");
  } catch (unsupported) { /* the app also sends on start and when the network returns */ }
};

async function boot() {
  const saved = localStorage.getItem("guichet.language");
  await Promise.all([
    app.refreshSession().catch(() => null),
    api.config().then((c) => { app.config = c; localStorage.setItem("guichet.config", JSON.stringify(c)); })
      .catch(() => { app.config = JSON.parse(localStorage.getItem("guichet.config") || "null"); }),
  ]);
  app.config ||= { max_photos: 5, photo_side: 2048, max_description: 4000, max_comment: 2000, max_short_text: 200,
    tile_url: "", tile_attribution: "", password_min_length: 10, max_photo_bytes: 15728640 };
  await app.setLanguage(saved || app.session.user?.language || (navigator.language || "fr").slice(0, 2));
  document.querySelector("[data-js=lang]").addEventListener("click", async () => {
    await app.setLanguage(language() === "fr" ? "en" : "fr");
    navigate(location.pathname + location.search, { replace: true, state: history.state });
  });
  watchNetwork();
  registerWorker().catch(() => {});  // before the first screen, which may wait for it (notifications on /account)
  await start(render);
  import("./screens/report-place.js").then((place) => place.prefetch(app.config)).catch(() => {});
  app.flush();
}

boot();
