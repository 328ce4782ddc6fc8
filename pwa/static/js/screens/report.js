// Reporting, one step per screen: where, what, already reported?, photos, details, send.
// The draft lives in IndexedDB, so the back button, a reload or a closed app never lose what was typed.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as maps from "../map.js";
import * as store from "../store.js";
import { add, errorBox, h, heading, serviceIcon } from "../ui.js";
import * as place from "./report-place.js";
import { placeSearch } from "./place-search.js";
import { renderDetails, renderPhotos } from "./report-steps.js";

export const STEPS = ["where", "what", "nearby", "photos", "details"];

async function loadDraft(kind) {
  return (await store.get("drafts", `report-${kind}`)) || {
    id: `report-${kind}`, kind, lat: null, lon: null, organisation: null, service: null, description: "",
    attributes: {}, contact_email: "", photos: [], key: crypto.randomUUID(),
  };
}

export async function render(view, { app, query }) {
  const kind = ["lost", "found"].includes(query.get("kind")) ? query.get("kind") : "incident";
  const draft = await loadDraft(kind);
  const save = () => store.put("drafts", draft);
  let step = STEPS.includes(query.get("step")) ? query.get("step") : "where";
  // A step is reachable only when the ones before it are done (a bookmark, a stale history entry).
  if (step !== "where" && draft.lat === null) step = "where";
  if (STEPS.indexOf(step) > 1 && !draft.service) step = "what";
  const flow = {
    app, draft, save, kind,
    go: (next, replace = false) => app.navigate(`/report?${new URLSearchParams({ ...(kind !== "incident" ? { kind } : {}), step: next })}`, { replace }),
    back: () => history.back(),
    reset: async () => store.remove("drafts", draft.id),
  };
  // The steps this person goes through: a lost or found object has no "already reported?", and no "what?" when
  // the town has one service for it (as most do), so the counter never jumps from 1 to 4.
  const shown = kind === "incident" ? STEPS
    : STEPS.filter((s) => s !== "nearby" && (s !== "what" || (draft.service && !draft.chosenForYou)));
  const number = Math.max(1, shown.indexOf(step) + 1);
  add(view, heading(t(`report.${kind}.title`)),
    h("p", { class: "steps" }, t("report.step", { n: number, total: shown.length, name: t(`report.step.${step}`) })));
  const screens = { where: renderWhere, what: renderWhat, nearby: renderNearby, photos: renderPhotos, details: renderDetails };
  return screens[step](view, flow);
}

async function renderWhere(view, flow) {
  const { app, draft, save } = flow;
  const status = h("div", { role: "status", "aria-live": "polite" });
  const next = h("button", { type: "button", class: "button", disabled: draft.lat === null }, t("common.next"));
  const mapEl = h("div", { class: "map", "data-js": "map" });
  const locate = h("button", { type: "button", class: "button secondary" }, "📍 ", t("report.where.locate"));
  const centre = h("button", { type: "button", class: "button link" }, t("report.where.centre"));
  const openHint = h("p", { class: "hint", "data-js": "open-hint" });
  const search = placeSearch(async (found) => (await ready).pin.place(found.lat, found.lon, 18));
  add(view, h("p", {}, t(`report.where.intro.${flow.kind}`)), h("div", { class: "actions tight" }, locate), search, mapEl,
    h("p", { class: "hint" }, t("report.where.tap"), " ", centre), openHint, status,
    h("div", { class: "actions split" }, h("a", { href: "/", class: "button secondary", "data-link": "" }, t("common.cancel")), next));

  let checking = 0;
  const onMove = async (lat, lon) => {
    draft.lat = lat;
    draft.lon = lon;
    next.disabled = true;
    const mine = ++checking;
    status.replaceChildren(t("report.where.checking"));
    try {
      const catalogue = await place.check(lat, lon, flow.kind);
      if (mine !== checking) return;
      if (draft.service && !catalogue.items.some((s) => s.code === draft.service.code)) draft.service = null;
      draft.organisation = catalogue.organisation;
      draft.catalogue = catalogue;
      status.replaceChildren(h("p", { class: "ok-box" }, t("report.where.inside", { name: catalogue.organisation.name })));
      next.disabled = false;
    } catch (error) {
      if (mine !== checking) return;
      draft.organisation = null;
      draft.catalogue = null;
      if (error.code === "network") {  // offline: the server will check the point when the report is sent
        status.replaceChildren(h("p", { class: "info-box" }, t("report.where.unchecked")));
        next.disabled = false;
      } else {
        status.replaceChildren(h("div", { class: "error-box", role: "alert" }, h("strong", {}, t("report.where.outside")), " ",
          t("report.where.outside.why")));
      }
    }
    await save();
  };
  // Listeners first, map after: a tap on "use my position" while Leaflet still loads is not lost.
  const ready = maps.createMap(mapEl, { center: draft.lat !== null ? [draft.lat, draft.lon] : null, zoom: 16, bounds: maps.areaBounds(app.config), config: app.config })
    .then((map) => ({ map, pin: maps.reportPin(map, onMove) }));
  centre.addEventListener("click", async () => (await ready).pin.placeAtCentre());
  locate.addEventListener("click", () => {
    if (!navigator.geolocation) return status.replaceChildren(t("report.where.nogeo"));
    status.replaceChildren(t("report.where.locating"));
    navigator.geolocation.getCurrentPosition(
      async (pos) => (await ready).pin.place(pos.coords.latitude, pos.coords.longitude, 18),
      () => status.replaceChildren(h("p", { class: "info-box" }, t("report.where.denied"))),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
  const { map, pin } = await ready;
  if (draft.lat !== null) pin.place(draft.lat, draft.lon);
  if (flow.kind === "incident") showOpen(map, openHint);
  next.addEventListener("click", () => flow.go("what"));
  return () => maps.removeMap(map);
}

/** The open reports on the part of the map shown, so that a person sees what is already known before placing
 *  the pin. Offline, or on any failure, the map simply shows none: it is a help, not a step. */
function showOpen(map, hint) {
  const layer = maps.existingLayer(map);
  let latest = 0;
  const refresh = async () => {
    const mine = ++latest;
    try {
      const { items } = await api.publicRequests(maps.bboxOf(map), "open");
      if (mine !== latest) return;
      layer.set(items.map((item) => ({ lat: item.lat, lon: item.lon, title: `${item.service.name}, ${t(`status.${item.status}`)}` })));
      hint.textContent = items.length ? t("report.where.open") : "";
    } catch {
      // nothing to show
    }
  };
  map.on("moveend", refresh);
  refresh();
}

async function renderWhat(view, flow) {
  const { draft, save } = flow;
  const list = h("div", {}, h("p", {}, t("common.loading")));
  add(view, h("p", {}, t(`report.what.intro.${flow.kind}`)), list,
    h("div", { class: "actions" }, h("button", { type: "button", class: "button secondary", onclick: flow.back }, t("common.back"))));
  // The catalogue came with the check of the place; offline, the one kept on this phone for that town.
  const catalogue = draft.catalogue || place.cachedAt(draft.lat, draft.lon, flow.app.config);
  if (!catalogue) return list.replaceChildren(errorBox(new api.NetworkError()));
  if (!draft.catalogue) list.before(h("p", { class: "info-box" }, t("report.what.offline")));
  const items = catalogue.items.filter((s) => (s.kind || "incident") === flow.kind);
  if (flow.kind !== "incident" && items.length === 1 && !draft.service) {  // one lost (or found) service: no choice to make
    draft.service = items[0];
    draft.chosenForYou = true;  // the step counter then leaves "what" out
    await save();
    return flow.go("photos", true);
  }
  const groups = new Map();
  for (const item of items) groups.set(item.group_name || "", [...(groups.get(item.group_name || "") || []), item]);
  list.replaceChildren(...[...groups].map(([group, services]) => h("section", { class: "group" },
    group ? h("h2", {}, group) : null,
    h("ul", { class: "categories" }, services.map((service) => h("li", {}, h("button", {
      type: "button", class: "category", "aria-pressed": String(draft.service?.code === service.code),
      onclick: async () => {
        draft.service = service;
        await save();
        if (service.urgent) return showUrgent(view, flow, service);
        flow.go("nearby");
      },
    }, serviceIcon(service.icon), h("span", {}, service.name))))))));
}

function showUrgent(view, flow, service) {
  const phone = service.emergency_phone;
  view.replaceChildren(heading(service.name), h("div", { class: "urgent-box", role: "alert" },
    h("p", {}, h("strong", {}, service.emergency_message)),
    phone ? h("p", {}, h("a", { href: `tel:${phone}`, class: "button danger" }, "📞 ", t("report.urgent.call", { phone }))) : null),
  h("div", { class: "actions split" },
    h("button", { type: "button", class: "button secondary", onclick: () => flow.go("what", true) }, t("common.back")),
    h("button", { type: "button", class: "button", onclick: () => flow.go("nearby") }, t("report.urgent.continue"))));
  view.querySelector("h1").focus();
}

async function renderNearby(view, flow) {
  const { app, draft } = flow;
  if (flow.kind !== "incident") return flow.go("photos", true);
  let found = [];
  try {
    found = (await api.nearby(draft.lat.toFixed(6), draft.lon.toFixed(6), draft.service.code)).items;
    draft.nearbySkipped = false;
  } catch (offline) {  // nothing to compare with: carry on, and the photos step says so
    draft.nearbySkipped = true;
  }
  await flow.save();
  if (!found.length) return flow.go("photos", true);
  const status = h("div", { role: "status", "aria-live": "polite" });
  add(view, h("p", {}, t("report.nearby.intro", { count: found.length })), status,
    h("ul", { class: "cards" }, found.map((item) => h("li", { class: "card" },
      item.photos[0] ? h("img", { src: item.photos[0].thumbnail_url, alt: "", loading: "lazy" }) : serviceIcon(item.service.icon),
      h("div", { class: "body" },
        h("p", {}, h("strong", {}, item.service.name), " · ", t("report.nearby.distance", { m: Math.round(item.distance_m) })),
        h("p", {}, item.description || t("common.nodescription")),
        h("p", { class: "meta" }, item.supporters ? t("report.nearby.supporters", { count: item.supporters }) : ""),
        h("button", {
          type: "button", class: "button secondary",
          onclick: async () => {
            if (!app.session.user) return status.replaceChildren(h("p", { class: "info-box" }, t("report.nearby.signin"), " ",
              h("a", { href: `/account/login?next=${encodeURIComponent(`/requests/${item.ref}`)}`, "data-link": "" }, t("account.login"))));
            try {
              await api.support(item.ref);
              await flow.reset();
              app.navigate(`/requests/${encodeURIComponent(item.ref)}`, { replace: true });
            } catch (error) {
              status.replaceChildren(errorBox(error));
            }
          },
        }, t("report.nearby.metoo")))))),
    h("div", { class: "actions split" },
      h("button", { type: "button", class: "button secondary", onclick: flow.back }, t("common.back")),
      h("button", { type: "button", class: "button", onclick: () => flow.go("photos") }, t("report.nearby.new"))));
}
