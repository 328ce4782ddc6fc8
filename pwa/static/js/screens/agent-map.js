// Dispatch: every open request on a live map, a list of what the map shows, new ones arriving without reload.
import * as api from "../api.js";
import { formatDate, language, t } from "../i18n.js";
import * as maps from "../map.js";
import { add, errorBox, h, heading, OPEN, statusBadge, watchesLive } from "../ui.js";
import { staffRoles } from "./agent-queue.js";
import { assignForm, canAssign } from "./assign.js";

export const wide = true;
const FRESH_MS = 10000;  // how long a request that just arrived stands out
const LIST_MAX = 50;

const PINS = { submitted: ["open", "N"], acknowledged: ["progress", "P"], in_progress: ["progress", "E"] };

const nameOf = (item) => item.service.name || (language() === "en" ? item.service.name_en : item.service.name_fr);

function fromEvent(data) {  // a live event carries both names; the queue gives the one of our language
  return { ref: data.ref, status: data.status, lat: data.lat, lon: data.lon, due_at: data.due_at,
    overdue: Boolean(data.due_at && new Date(data.due_at) < new Date()),
    service: { code: data.service.code, name: language() === "en" ? data.service.name_en : data.service.name_fr },
    assignee: data.assignee ? { name: data.assignee } : null, created_at: data.updated_at };
}

export async function render(view, { app }) {
  add(view, heading(t("dispatch.title")));
  if (!staffRoles(app.session.user).length) return add(view, h("p", {}, t("agent.forbidden")));
  if (!watchesLive(app.session.user)) {
    return add(view, h("p", { class: "info-box" }, t("dispatch.not_yours"), " ",
      h("a", { href: "/agent/field", "data-link": "" }, t("field.title"))));
  }
  const fresh = new Map();  // ref -> when it arrived
  const items = new Map();
  const mapEl = h("div", { class: "map tall", "data-js": "dispatch-map" });
  const list = h("ul", { class: "cards", "aria-label": t("dispatch.visible") });
  const live = h("p", { role: "status", "aria-live": "polite", class: "meta", "data-js": "live" }, t("dispatch.connecting"));
  add(view, h("div", { class: "legend" }, Object.entries(PINS).map(([status, [kind, symbol]]) =>
    h("span", {}, h("span", { class: `pin ${kind}`, "aria-hidden": "true" }, h("span", {}, symbol)), t(`status.${status}`))),
  h("span", {}, "⚠ ", t("agent.overdue"))), live, h("div", { class: "dispatch" }, mapEl, h("div", {}, h("h2", {}, t("dispatch.visible")), list)));
  const organisation = staffRoles(app.session.user)[0].organisation;
  const map = await maps.createMap(mapEl, { bounds: maps.areaBounds(app.config, organisation), config: app.config });
  const layer = await maps.clusteredLayer(map);
  const assigner = canAssign(app.session.user, organisation);
  const popup = (i) => {
    const box = h("div", { class: "popup" }, h("p", {}, h("strong", {}, i.ref), " ", nameOf(i)), h("p", {}, statusBadge(i.status),
      " ", i.assignee?.name || t("agent.filter.nobody")),
    h("p", {}, h("a", { href: `/agent/requests/${encodeURIComponent(i.ref)}`, "data-link": "" }, t("map.open"))));
    if (assigner) {
      assignForm(i.ref, organisation, (name) => box.replaceChildren(h("p", { class: "ok-box" }, t("assign.done", { ref: i.ref, name }))))
        .then((form) => box.append(form)).catch(() => {});
    }
    return box;
  };
  const catalogue = (await api.catalogueOf(organisation).catch(() => ({ items: [] }))).items;
  const serviceFilter = h("select", { name: "service", id: "dispatch-service" }, h("option", { value: "" }, t("agent.filter.all")),
    catalogue.map((c) => h("option", { value: c.code }, c.name)));
  const overdueOnly = h("input", { type: "checkbox", name: "overdue", id: "dispatch-overdue" });
  const wanted = (i) => (!serviceFilter.value || i.service.code === serviceFilter.value) && (!overdueOnly.checked || i.overdue);
  const redraw = () => {
    const open = [...items.values()].filter((i) => OPEN.includes(i.status) && i.lat !== null && wanted(i));
    const isFresh = (i) => Date.now() - (fresh.get(i.ref) || 0) < FRESH_MS;
    layer.set(open.map((i) => {
      const [kind, symbol] = PINS[i.status];
      return { lat: i.lat, lon: i.lon, kind: `${kind}${i.overdue ? " late" : ""}${isFresh(i) ? " fresh" : ""}`, symbol,
        title: `${i.ref}, ${nameOf(i)}, ${t(`status.${i.status}`)}${i.overdue ? `, ${t("agent.overdue")}` : ""}`,
        popup: popup(i) };
    }));
    const shown = open.filter((i) => maps.shows(map, i.lat, i.lon)).sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));
    list.replaceChildren(...shown.slice(0, LIST_MAX).map((i) => h("li", { class: `card${isFresh(i) ? " fresh" : ""}`, "data-ref": i.ref }, h("div", { class: "body" },
      h("a", { class: "title", href: `/agent/requests/${encodeURIComponent(i.ref)}`, "data-link": "" }, `${i.ref} · ${nameOf(i)}`),
      isFresh(i) ? h("p", {}, h("strong", { class: "flag" }, `★ ${t("dispatch.fresh")}`)) : null,
      h("p", {}, statusBadge(i.status), i.overdue ? h("strong", { class: "overdue" }, ` ⚠ ${t("agent.overdue")}`) : ""),
      h("p", { class: "meta" }, i.assignee?.name || t("agent.filter.nobody"), " · ", formatDate(i.created_at))))),
    shown.length > LIST_MAX ? h("li", { class: "meta", "data-js": "list-cut" }, t("dispatch.cut", { shown: LIST_MAX, total: shown.length })) : "");
  };
  try {
    for (const item of (await api.staffRequests({ status: "open", limit: 500 })).items) items.set(item.ref, item);
  } catch (error) {
    add(view, errorBox(error));
  }
  mapEl.parentElement.before(h("div", { class: "filters no-print", role: "group", "aria-label": t("agent.filters") },
    h("div", { class: "field" }, h("label", { for: "dispatch-service" }, t("dispatch.filter.service")), serviceFilter),
    h("label", { class: "choice" }, overdueOnly, t("dispatch.filter.overdue"))));
  serviceFilter.addEventListener("change", redraw);
  overdueOnly.addEventListener("change", redraw);
  redraw();
  map.on("moveend", redraw);
  // The browser reconnects by itself after a dropped connection, but gives up on an answer that is not a stream
  // (a 503 while the database restarts): then this page tries again, from the last event it saw.
  let source = null;
  let lastId = "";
  let retry = 0;
  const connect = () => {
    source = new EventSource(lastId ? `/api/v1/stream?last_event_id=${encodeURIComponent(lastId)}` : "/api/v1/stream");
    source.addEventListener("open", () => { live.textContent = t("dispatch.live"); });
    source.addEventListener("error", () => {
      live.textContent = t("dispatch.reconnecting");
      if (source.readyState === EventSource.CLOSED) retry = setTimeout(connect, 5000);
    });
    source.addEventListener("request", (event) => {
      if (event.lastEventId) lastId = event.lastEventId;
      const data = JSON.parse(event.data);
      const known = items.has(data.ref);
      items.set(data.ref, { ...(items.get(data.ref) || {}), ...fromEvent(data) });
      live.textContent = t(known ? "dispatch.changed" : "dispatch.new", { ref: data.ref });
      if (!known) {
        fresh.set(data.ref, Date.now());
        setTimeout(redraw, FRESH_MS + 100);  // and then it looks like the others
      }
      redraw();
    });
    source.addEventListener("ended", () => {  // signed out, or no longer allowed: no reconnection loop
      source.close();
      live.textContent = t("dispatch.ended");
    });
  };
  connect();
  return () => {
    clearTimeout(retry);
    source.close();
    maps.removeMap(map);
  };
}
