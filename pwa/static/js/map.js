// The only module that touches Leaflet's `L`; Leaflet loads when a screen first needs a map.
import { t } from "./i18n.js";
import { pinOf } from "./ui.js";

const vendor = (path) => new URL(`../vendor/${path}`, import.meta.url).href;
const loaded = new Map();

function load(kind, url) {
  if (!loaded.has(url)) {
    loaded.set(url, new Promise((resolve, reject) => {
      const el = kind === "css" ? Object.assign(document.createElement("link"), { rel: "stylesheet", href: url })
        : Object.assign(document.createElement("script"), { src: url });
      el.onload = resolve;
      el.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.append(el);
    }));
  }
  return loaded.get(url);
}

async function leaflet() {
  await Promise.all([load("css", vendor("leaflet/leaflet.css")), load("js", vendor("leaflet/leaflet.js"))]);
  return window.L;
}

/** A map in `el`, centred on `center`, with the configured tiles and a keyboard-usable label. */
/** The box a map opens on: an organisation's (`slug`) or the whole area served, from /api/v1/config. */
export function areaBounds(config, slug) {
  const box = (slug && config?.areas?.[slug]) || config?.area;
  return box ? [[box[0], box[1]], [box[2], box[3]]] : null;
}

/** A map on `center` at `zoom`, or else fitted to `bounds` (see areaBounds), or else the whole world. */
export async function createMap(el, { center, zoom = 16, bounds, config }) {
  const L = await leaflet();
  el.setAttribute("role", "application");
  el.setAttribute("aria-label", t("map.label"));
  const map = L.map(el, { zoomControl: true });
  if (center) map.setView(center, zoom);
  else if (bounds) map.fitBounds(bounds);
  else map.setView([20, 0], 2);
  if (config?.tile_url) {
    L.tileLayer(config.tile_url, { maxZoom: 19, attribution: config.tile_attribution || "" }).addTo(map);
  }
  return map;
}

function pinIcon(kind, symbol) {
  return window.L.divIcon({
    className: "", html: `<div class="pin ${kind}"><span>${symbol}</span></div>`,
    iconSize: [36, 36], iconAnchor: kind === "done" ? [18, 18] : [18, 40], popupAnchor: [0, -36],
  });
}

/** The draggable pin of the report flow; `onMove(lat, lon)` after every move, by drag or by tap. */
export function reportPin(map, onMove) {
  const L = window.L;
  let marker = null;
  const place = (latlng) => {
    if (!marker) {
      marker = L.marker(latlng, { draggable: true, icon: pinIcon("here", "!"), zIndexOffset: 1000, keyboard: true, title: t("map.pin"), alt: t("map.pin") }).addTo(map);
      marker.on("dragend", () => onMove(marker.getLatLng().lat, marker.getLatLng().lng));
    } else {
      marker.setLatLng(latlng);
    }
    onMove(latlng.lat, latlng.lng);
  };
  map.on("click", (e) => place(e.latlng));
  return {
    place: (lat, lon, zoom) => { place(L.latLng(lat, lon)); map.setView([lat, lon], zoom || map.getZoom(), { animate: false }); },
    placeAtCentre: () => place(map.getCenter()),
  };
}

/** A fixed marker (a request on its detail page), as its status looks on every map (ui.pinOf). */
export function showPoint(map, lat, lon, status) {
  const pin = pinOf(status);
  window.L.marker([lat, lon], { icon: pinIcon(pin.kind, pin.symbol), keyboard: false }).addTo(map);
}

/** The open reports around, under the report pin: small, and not clickable, so that a tap on one still places the
 *  pin there. `set(items)` with {lat, lon, title}. */
export function existingLayer(map) {
  const L = window.L;
  const group = L.layerGroup().addTo(map);
  const icon = L.divIcon({ className: "", html: '<div class="pin open existing"><span>!</span></div>', iconSize: [24, 24], iconAnchor: [12, 27] });
  return {
    set(items) {
      group.clearLayers();
      for (const item of items) {
        L.marker([item.lat, item.lon], { icon, interactive: false, keyboard: false,
          title: item.title, alt: item.title }).addTo(group);
      }
    },
  };
}

/** Clustered markers for the public map; `items` have lat, lon, open and a popup element. */
export async function clusteredLayer(map) {
  await Promise.all([load("css", vendor("markercluster/MarkerCluster.css")),
    load("js", vendor("markercluster/leaflet.markercluster.js"))]);
  const L = window.L;
  const group = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(group);
  // Rebuilding the markers closes an open popup (a person reading it, a dispatcher assigning): wait for it.
  let popupOpen = false;
  let pending = null;
  const apply = (items) => {
    group.clearLayers();
    group.addLayers(items.map((item) => L.marker([item.lat, item.lon], {
      icon: pinIcon(item.kind || (item.open ? "open" : "done"), item.symbol || (item.open ? "!" : "✓")),
      title: item.title, alt: item.title,
    }).bindPopup(item.popup)));
  };
  map.on("popupopen", () => { popupOpen = true; });
  map.on("popupclose", () => {
    popupOpen = false;
    if (pending) apply(pending);
    pending = null;
  });
  return {
    set(items) {
      if (popupOpen) pending = items;
      else apply(items);
    },
  };
}

/** Removes a map, even one in the middle of a pan or zoom (Leaflet would throw from its next frame). */
export function removeMap(map) {
  map.stop();
  map.off();
  // Leaflet 1.9 ends a zoom animation 250 ms after it starts, by a timer that remove() leaves running: on a map
  // removed meanwhile (a tab tapped while the map zooms to the person's position) it read the pane that is gone.
  map._animatingZoom = false;
  map.remove();
}

/** Whether a point is in the part of the map on screen (to keep a side list in step with the map). */
export function shows(map, lat, lon) {
  return map.getBounds().contains([lat, lon]);
}

export function bboxOf(map) {
  const b = map.getBounds();
  return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((n) => n.toFixed(5)).join(",");
}
