// The place of a report: which municipality serves it and its catalogue, checked after every move of the pin, and
// the last catalogues seen kept on the phone, so that a report can be made offline (checked again when it is sent).
import * as api from "../api.js";

const KEY = "guichet.catalogues";
const KEEP = 5;

function cached() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "[]");
  } catch (damaged) {
    return [];
  }
}

/** Keeps `catalogue` ({organisation, items}) as the most recent one of its municipality. */
export function remember(catalogue) {
  const others = cached().filter((c) => c.organisation.slug !== catalogue.organisation.slug);
  localStorage.setItem(KEY, JSON.stringify([catalogue, ...others].slice(0, KEEP)));
}

/** Offline: the catalogue kept for the municipality whose box holds the point, else the last one seen, or null. */
export function cachedAt(lat, lon, config) {
  const all = cached();
  const inBox = (slug) => {
    const box = config?.areas?.[slug];
    return box && lat !== null && lat >= box[0] && lat <= box[2] && lon >= box[1] && lon <= box[3];
  };
  return all.find((c) => inBox(c.organisation.slug)) || all[0] || null;
}

/** The catalogue at a point for a kind of report; throws outside_area (no municipality here takes that kind) or
 *  a NetworkError (offline). */
export async function check(lat, lon, kind) {
  const catalogue = await api.services(lat.toFixed(6), lon.toFixed(6));
  if (!catalogue.items.some((item) => (item.kind || "incident") === kind)) throw new api.ApiError(422, "outside_area", "");
  remember(catalogue);
  return catalogue;
}

/** Once per phone, while online: the catalogue of the municipality the app opens on, so that a first report made
 *  offline still has its categories. */
export async function prefetch(config) {
  if (cached().length || !config?.areas || !navigator.onLine) return;
  const slug = Object.keys(config.areas).find((s) => String(config.areas[s]) === String(config.area));
  if (slug) remember(await api.catalogueOf(slug));
}
