// "Chercher une adresse": for a person without GPS, or an agent taking a call. Results are buttons; choosing one
// moves the pin there, which checks the place as any move of the pin does. Searched on demand (a button, or Enter),
// never at each key: the geocoder behind it asks for restraint, and a slow network too.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { errorBox, h } from "../ui.js";

let count = 0;

/** The search box; `onChoose({label, lat, lon})` when a result is chosen. Not a <form>: it may sit inside one. */
export function placeSearch(onChoose) {
  const id = `place-q-${++count}`;
  const input = h("input", { type: "search", id, name: "place_q", autocomplete: "street-address", maxLength: 200,
    enterKeyHint: "search" });
  const results = h("div", { role: "status", "aria-live": "polite", "data-js": "place-results" });
  const run = async () => {
    const text = input.value.trim();
    if (text.length < 3) return results.replaceChildren(h("p", { class: "hint" }, t("place.short")));
    results.replaceChildren(h("p", { class: "hint" }, t("common.loading")));
    try {
      const { items } = await api.places(text);
      if (!items.length) return results.replaceChildren(h("p", { class: "info-box" }, t("place.none")));
      results.replaceChildren(h("p", { class: "hint" }, t("place.found", { count: items.length })),
        h("ul", { class: "places" }, items.map((item) => h("li", {}, h("button", {
          type: "button", class: "button secondary place",
          onclick: () => { results.replaceChildren(h("p", { class: "hint" }, t("place.chosen", { label: item.label }))); onChoose(item); },
        }, `📍 ${item.label}`)))));
    } catch (error) {
      results.replaceChildren(errorBox(error));
    }
  };
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); run(); }
  });
  return h("div", { class: "place-search" }, h("label", { for: id }, t("place.label")),
    h("div", { class: "inline" }, input, h("button", { type: "button", class: "button secondary", onclick: run }, `🔎 ${t("place.search")}`)),
    results);
}
