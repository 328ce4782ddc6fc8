// What the lost-and-found screens share: an object's category in words, its card, its colour.
import { formatDate, language, t } from "../i18n.js";
import { h } from "../ui.js";

export const colourName = (c) => (c ? t(`colour.${c}`) : "");

/** A found object as the public (and the owner) may see it: category, colour, day, area, a photo if allowed. */
export function foundCard(item, ...extra) {
  return h("li", { class: "card", "data-ref": item.ref },
    item.photos?.length ? h("img", { src: item.photos[0].thumbnail_url, alt: t("lost.photo_alt", { category: item.category_name }), loading: "lazy" }) : null,
    h("div", { class: "body" },
      h("p", { class: "title" }, item.category_name, item.colour ? ` · ${colourName(item.colour)}` : ""),
      h("p", { class: "meta" }, t("lost.found_on", { date: new Intl.DateTimeFormat(language() === "en" ? "en-GB" : "fr-CH",
        { dateStyle: "long" }).format(new Date(item.found_on)) }), " · ", item.ref),
      h("p", { class: "meta" }, item.at_office ? t("lost.at_office") : t("lost.with_finder")),
      ...extra));
}

export const when = (iso) => formatDate(iso);
