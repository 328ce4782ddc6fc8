// The public map: requests around me, open and resolved told apart by shape, symbol and text, clustered.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import * as maps from "../map.js";
import { add, errorBox, h, heading, OPEN, statusBadge } from "../ui.js";


function popup(item) {
  return h("div", {},
    h("p", {}, h("strong", {}, item.service.name)),
    h("p", {}, statusBadge(item.status)),
    h("p", { class: "meta" }, formatDate(item.created_at)),
    h("a", { href: `/requests/${encodeURIComponent(item.ref)}`, "data-link": "" }, t("map.open")));
}

export async function render(view, { app }) {
  const mapEl = h("div", { class: "map", "data-js": "public-map" });
  const status = h("p", { role: "status", "aria-live": "polite", class: "meta" });
  const showResolved = h("input", { type: "checkbox", id: "show-resolved", checked: true });
  add(view, heading(t("map.title")),
    h("div", { class: "legend" },
      h("span", {}, h("span", { class: "pin open", "aria-hidden": "true" }, h("span", {}, "!")), t("map.legend.open")),
      h("span", {}, h("span", { class: "pin done", "aria-hidden": "true" }, h("span", {}, "✓")), t("map.legend.done"))),
    h("label", { class: "choice", for: "show-resolved" }, showResolved, t("map.showresolved")),
    mapEl, status);
  const map = await maps.createMap(mapEl, { bounds: maps.areaBounds(app.config), config: app.config });
  const layer = await maps.clusteredLayer(map);
  let latest = 0;
  const refresh = async () => {
    const mine = ++latest;
    const statuses = showResolved.checked ? "open,resolved" : "open";
    try {
      const { items } = await api.publicRequests(maps.bboxOf(map), statuses);
      if (mine !== latest) return;
      layer.set(items.map((item) => ({
        lat: item.lat, lon: item.lon, open: OPEN.includes(item.status), popup: popup(item),
        title: `${item.service.name}, ${t(`status.${item.status}`)}`,
      })));
      status.textContent = t("map.count", { count: items.length });
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  };
  map.on("moveend", refresh);
  showResolved.addEventListener("change", refresh);
  navigator.geolocation?.getCurrentPosition((pos) => mapEl.isConnected && map.setView([pos.coords.latitude, pos.coords.longitude], 16),
    () => {}, { timeout: 10000, maximumAge: 300000 });
  await refresh();
  return () => maps.removeMap(map);
}
