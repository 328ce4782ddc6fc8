// The found objects anyone may look through: category, day, area; never marks nor who found them.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { add, errorBox, field, h, heading } from "../ui.js";
import { foundCard } from "./lost-common.js";

const CATEGORIES = ["keys", "wallet", "phone", "bag", "id", "card", "bike", "glasses", "jewellery", "clothing", "toy", "other"];

export async function render(view, { app, query }) {
  add(view, heading(t("found.title")), h("p", {}, t("found.intro")));
  const category = h("select", { name: "category" }, h("option", { value: "" }, t("agent.filter.all")),
    CATEGORIES.map((c) => h("option", { value: c, selected: query.get("category") === c }, t(`category.${c}`))));
  const since = h("input", { type: "date", name: "since", value: query.get("since") || "" });
  const place = h("select", { name: "organisation" }, h("option", { value: "" }, t("agent.filter.all")),
    (await api.organisations().catch(() => ({ items: [] }))).items.filter((o) => o.kind === "municipality")
      .map((o) => h("option", { value: o.slug, selected: query.get("organisation") === o.slug }, o.name)));
  const form = h("form", { class: "filters", role: "search", "aria-label": t("found.title") }, field(t("lost.category"), category),
    field(t("found.since"), since), field(t("found.where"), place),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agent.filter.apply"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    app.navigate(`/found?${new URLSearchParams([...new FormData(form)].filter(([, v]) => v !== ""))}`);
  });
  const list = h("ul", { class: "cards" });
  add(view, form, list, h("p", {}, h("a", { class: "button", href: "/report?kind=lost", "data-link": "" }, t("home.lost"))));
  try {
    const { items } = await api.foundObjects({ category: query.get("category") || undefined, limit: 100,
      organisation: query.get("organisation") || undefined,
      since: query.get("since") ? new Date(`${query.get("since")}T00:00:00`).toISOString() : undefined });
    list.replaceChildren(...(items.length ? items.map((i) => foundCard(i)) : [h("li", {}, t("found.none"))]));
  } catch (error) {
    list.replaceWith(errorBox(error));
  }
}
