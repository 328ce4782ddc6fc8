// The queue's filters, its sort and the agent's saved filters. The URL holds them all (`/agent?status=open&...`),
// so a filter is bookmarked, shared, saved and exported alike.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { announce, errorBox, field, h } from "../ui.js";

export const STATUSES = ["submitted", "acknowledged", "in_progress", "resolved", "rejected", "duplicate", "closed"];
export const PRIORITIES = [["-1", "low"], ["0", "normal"], ["1", "high"], ["2", "urgent"]];
const CHANNELS = ["app", "web", "phone", "counter", "mail", "open311"];
const SORTS = ["newest", "oldest", "updated", "due", "priority"];
const KEYS = ["organisation", "status", "service", "group", "assignee", "team", "channel", "q", "overdue", "from", "to",
  "has_photo", "priority", "sort"];

/** The queue's parameters for the API: the URL's, with the days of `from` and `to` as instants (to: the day included). */
export function apiParams(query, organisation) {
  const out = { status: query.get("status") ?? "open", organisation };
  for (const key of KEYS) if (key !== "status" && query.get(key)) out[key] = query.get(key);
  const day = (value, plus) => { const d = new Date(`${value}T00:00:00`); d.setDate(d.getDate() + plus); return d.toISOString(); };
  if (out.from) out.from = day(out.from, 0);
  if (out.to) out.to = day(out.to, 1);
  return out;
}

const select = (name, options, value, id) => h("select", { name, id }, options.map(([v, label]) =>
  h("option", { value: v, selected: v === value }, label)));

/** The filters on screen as a query (what "Filtrer" applies and "Enregistrer" saves). */
export function formQuery(form) {
  const params = new URLSearchParams([...new FormData(form)].filter(([k, v]) => v !== "" && !(k === "sort" && v === "newest")));
  if (!params.has("status")) params.set("status", "");
  return params;
}

// The filters used all day stay in one row; the others fold under "Plus de filtres" (open when one is set), so
// that the first rows of the queue show on a 1366x768 screen.
const MORE = ["group", "team", "channel", "priority", "has_photo", "from", "to", "sort", "overdue"];

export function filtersForm(query, catalogue, onSubmit, teams = []) {
  const groups = [...new Map(catalogue.filter((s) => s.group).map((s) => [s.group, s.group_name || s.group]))]
    .sort((a, b) => a[1].localeCompare(b[1]));
  const team = query.get("team") || "";
  const teamNames = [...new Set([...teams, ...(team ? [team] : [])])].sort((a, b) => a.localeCompare(b));
  const more = h("details", { class: "more-filters", open: MORE.some((k) => query.get(k) && !(k === "sort" && query.get(k) === "newest")) },
    h("summary", {}, t("agent.filter.more")), h("div", { class: "filters" },
      field(t("agent.filter.group"), select("group", [["", t("agent.filter.all")], ...groups], query.get("group") || "")),
      field(t("agent.filter.team"), select("team", [["", t("agent.filter.all")], ...teamNames.map((n) => [n, n])], team)),
      field(t("agent.filter.channel"), select("channel", [["", t("agent.filter.all")], ...CHANNELS.map((c) => [c, t(`agent.channel.${c}`)])],
        query.get("channel") || "")),
      field(t("agent.filter.priority"), select("priority", [["", t("agent.filter.all")],
        ...PRIORITIES.map(([v, name]) => [v, t(`priority.${name}`)])], query.get("priority") || "")),
      field(t("agent.filter.photo"), select("has_photo", [["", t("agent.filter.all")], ["1", t("agent.filter.with_photo")],
        ["0", t("agent.filter.without_photo")]], query.get("has_photo") || "")),
      field(t("agent.filter.from"), h("input", { type: "date", name: "from", value: query.get("from") || "" })),
      field(t("agent.filter.to"), h("input", { type: "date", name: "to", value: query.get("to") || "" })),
      field(t("agent.sort"), select("sort", SORTS.map((s) => [s, t(`sort.${s}`)]), query.get("sort") || "newest")),
      h("label", { class: "choice" }, h("input", { type: "checkbox", name: "overdue", value: "1", checked: query.get("overdue") === "1" }),
        t("agent.filter.overdue"))));
  const form = h("form", { class: "queue-filters", role: "search", "aria-label": t("agent.filters") },
    h("div", { class: "filters" },
      field(t("agent.filter.status"), select("status", [["open", t("agent.filter.open")], ["", t("agent.filter.all")],
        ...STATUSES.map((s) => [s, t(`status.${s}`)])], query.get("status") ?? "open")),
      field(t("agent.filter.service"), select("service", [["", t("agent.filter.all")],
        ...catalogue.map((s) => [s.code, s.name])], query.get("service") || "")),
      field(t("agent.filter.assignee"), select("assignee", [["", t("agent.filter.anyone")], ["me", t("agent.filter.me")],
        ["team", t("agent.filter.myteam")], ["none", t("agent.filter.nobody")]], query.get("assignee") || "")),
      field(t("agent.filter.q"), h("input", { type: "search", name: "q", value: query.get("q") || "", maxLength: 200 })),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agent.filter.apply")))),
    more);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onSubmit(formQuery(form));
  });
  return form;
}

/** My saved filters: apply one, delete one, save under a name the filters on screen (`onScreen()`, a query). */
export async function savedFilters(query, onScreen) {
  const box = h("section", { class: "saved-filters no-print", "aria-labelledby": "saved-title" },
    h("h2", { id: "saved-title" }, t("agent.saved")));
  const list = h("ul", { class: "chips" });
  const out = h("div", { role: "status" });
  const current = new URLSearchParams([...query].filter(([k]) => KEYS.includes(k) && k !== "organisation"));
  const refresh = async () => {
    try {
      const { items } = await api.savedFilters();
      list.replaceChildren(...(items.length ? items.map((f) => h("li", {},
        h("a", { href: `/agent?${f.query}`, "data-link": "", "aria-current": f.query === current.toString() ? "true" : null }, f.name),
        h("button", { type: "button", class: "link", "aria-label": t("agent.saved.delete_named", { name: f.name }),
          onclick: async () => { await api.deleteFilter(f.id); announce(t("agent.saved.deleted", { name: f.name }), { kind: "ok" }); refresh(); } }, "✕")))
        : [h("li", { class: "meta" }, t("agent.saved.none"))]));
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  const name = h("input", { name: "name", required: true, maxLength: 80, id: "saved-name" });
  const form = h("form", { class: "inline" }, h("label", { for: "saved-name" }, t("agent.saved.name")), name,
    h("button", { type: "submit", class: "button secondary" }, t("agent.saved.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const chosen = new URLSearchParams([...onScreen()].filter(([k]) => KEYS.includes(k) && k !== "organisation"));
      await api.saveFilter(name.value.trim(), chosen.toString() || "status=open");
      announce(t("agent.saved.done", { name: name.value.trim() }), { kind: "ok" });
      name.value = "";
      refresh();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  box.append(list, form, out);
  await refresh();
  return box;
}
