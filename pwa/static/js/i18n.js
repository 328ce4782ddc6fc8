// Every text of the app comes from strings/<language>.js; French is the default and the fallback.
import fr from "./strings/fr.js";

let strings = fr;
let current = "fr";

export const language = () => current;

export async function useLanguage(lang) {
  current = lang === "en" ? "en" : "fr";
  strings = current === "en" ? (await import("./strings/en.js")).default : fr;
  document.documentElement.lang = current;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
}

/** Whether a text exists for `key` (in this language or in French). */
export const has = (key) => key in strings || key in fr;

/** The text for `key`, with `{name}` replaced from `vars`. */
export function t(key, vars = {}) {
  const text = strings[key] ?? fr[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** A date and time in few characters ("04.12.26 18:55"), for the columns of a table; the full date is its title. */
export function formatShort(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current === "en" ? "en-GB" : "fr-CH", { dateStyle: "short", timeStyle: "short" })
    .format(new Date(iso));
}

export function formatDate(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current === "en" ? "en-GB" : "fr-CH", { dateStyle: "medium", timeStyle: "short" })
    .format(new Date(iso));
}
