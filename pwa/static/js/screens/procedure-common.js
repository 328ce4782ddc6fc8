// What the catalogue's screens share: the town they are for, and what is kept on the phone for offline use.
import * as api from "../api.js";

/** JSON kept in localStorage under `guichet.<key>`; a full storage only means nothing is kept. */
export function cache(key, value) {
  try { localStorage.setItem(`guichet.${key}`, JSON.stringify(value)); } catch (full) { /* kept nowhere */ }
}

export const cached = (key) => JSON.parse(localStorage.getItem(`guichet.${key}`) || "null");

/** The municipality whose procedures are shown: the one asked for, else the one the header names, else the first
 *  municipality the server knows. */
export async function townOf(app, query) {
  const asked = query.get("organisation");
  if (asked) return asked;
  const slug = app.townSlug();
  if (slug && cached("towns")?.includes(slug)) return slug;
  try {
    const towns = (await api.organisations()).items.filter((o) => o.kind === "municipality").map((o) => o.slug);
    cache("towns", towns);
    return towns.includes(slug) ? slug : towns[0];
  } catch (offline) {
    return slug || cached("towns")?.[0] || "";
  }
}

/** A procedure's definition: from the server (and kept), else the copy kept on this phone. */
export async function procedure(org, code) {
  try {
    const found = await api.procedure(org, code);
    cache(`procedure:${org}/${code}`, found);
    return found;
  } catch (error) {
    const kept = error.code === "network" && cached(`procedure:${org}/${code}`);
    if (!kept) throw error;
    return kept;
  }
}
