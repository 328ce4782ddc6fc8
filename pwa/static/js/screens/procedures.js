// The catalogue of online procedures: searched by words, theme and audience; each leads to its page. The last
// full list of a town is kept on the phone, and searched there when the network is gone.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { add, errorBox, field, h, heading, serviceIcon } from "../ui.js";
import { cache, cached, townOf } from "./procedure-common.js";

const AUDIENCES = ["individuals", "companies", "associations"];
const fold = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

/** The offline search: the server's rule (every word, either language, accents ignored) on the kept list. */
function searchKept(list, { q, family, audience }) {
  const words = fold(q || "").split(/\s+/).filter(Boolean);
  return list.items.filter((s) => (!family || s.group === family)
    && (!audience || s.page.audience.includes(audience))
    && words.every((w) => fold([s.name, s.description, s.group_name, s.page.who, ...(s.page.documents || [])].join(" ")).includes(w)));
}

export async function render(view, { app, query }) {
  const org = await townOf(app, query);
  const words = h("input", { type: "search", name: "q", value: query.get("q") || "", autocomplete: "off", enterkeyhint: "search" });
  const family = h("select", { name: "family" }, h("option", { value: "" }, t("procedures.family.all")));
  const audience = h("select", { name: "audience" }, h("option", { value: "" }, t("procedures.audience.all")),
    AUDIENCES.map((a) => h("option", { value: a, selected: query.get("audience") === a }, t(`procedures.audience.${a}`))));
  const count = h("p", { role: "status", "aria-live": "polite", class: "hint", "data-js": "count" });
  const results = h("div", { "data-js": "results" }, h("p", {}, t("common.loading")));
  const note = h("div", {});
  add(view, heading(t("procedures.title")), h("p", {}, t("procedures.intro")),
    h("form", { role: "search", class: "filters-inline", onsubmit: (e) => { e.preventDefault(); refresh(); } },
      field(t("procedures.search"), words, t("procedures.search.hint")),
      h("div", { class: "row" }, field(t("procedures.family"), family), field(t("procedures.audience"), audience))),
    note, count, results);

  let latest = 0;
  let familiesDrawn = false;
  const refresh = async () => {
    const mine = ++latest;
    const filters = { q: words.value.trim(), family: family.value, audience: audience.value };
    history.replaceState(history.state, "", `/procedures?${new URLSearchParams({ organisation: org,
      ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) })}`);  // the search stays on return
    let list;
    note.replaceChildren();
    try {
      list = await api.procedures({ organisation: org, ...filters });
      if (!filters.q && !filters.family && !filters.audience) cache(`procedures:${org}`, list);
    } catch (error) {
      const kept = error.code === "network" && cached(`procedures:${org}`);
      if (!kept) return mine === latest && results.replaceChildren(errorBox(error));
      list = { ...kept, items: searchKept(kept, filters) };
      note.replaceChildren(h("p", { class: "info-box" }, t("procedures.offline")));
    }
    if (mine !== latest) return;
    if (!familiesDrawn) {
      familiesDrawn = true;
      family.append(...list.families.map((f) => h("option", { value: f.key, selected: query.get("family") === f.key }, f.name)));
      if (family.value !== filters.family) return refresh();  // the theme asked for in the address
    }
    count.textContent = t("procedures.count", { count: list.items.length });
    results.replaceChildren(...(list.items.length ? drawList(org, list.items) : [h("p", { class: "info-box" }, t("procedures.none"))]));
  };
  let timer = null;
  words.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 250); });
  family.addEventListener("change", refresh);
  audience.addEventListener("change", refresh);
  await refresh();
  return () => clearTimeout(timer);
}

function drawList(org, items) {
  const groups = new Map();
  for (const item of items) groups.set(item.group_name || "", [...(groups.get(item.group_name || "") || []), item]);
  return [...groups].map(([group, services]) => h("section", { class: "group" }, group ? h("h2", {}, group) : null,
    h("ul", { class: "procedures" }, services.map((s) => h("li", {},
      h("a", { href: `/procedures/${encodeURIComponent(org)}/${encodeURIComponent(s.code)}`, class: "procedure", "data-link": "" },
        serviceIcon(s.icon), h("span", {}, h("strong", {}, s.name), s.description ? h("span", { class: "meta" }, s.description) : null,
          h("span", { class: "tag" }, t(`procedures.kind.${s.kind}`))))))),
  ));
}
