// The agents' queue: their organisation's requests, filtered, counted by status; a table on a desk, cards on a phone.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, errorBox, field, h, heading, statusBadge } from "../ui.js";

const STATUSES = ["submitted", "acknowledged", "in_progress", "resolved", "rejected", "duplicate", "closed"];
export const staffRoles = (user) => (user?.roles || []).filter((r) => !["citizen", "prefect"].includes(r.role));

function filtersForm(query, catalogue, onSubmit) {
  const select = (name, options, value) => h("select", { name }, options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)));
  const form = h("form", { class: "filters", role: "search" },
    field(t("agent.filter.status"), select("status", [["open", t("agent.filter.open")], ["", t("agent.filter.all")],
      ...STATUSES.map((s) => [s, t(`status.${s}`)])], query.get("status") ?? "open")),
    field(t("agent.filter.service"), select("service", [["", t("agent.filter.all")],
      ...catalogue.map((s) => [s.code, s.name])], query.get("service") || "")),
    field(t("agent.filter.assignee"), select("assignee", [["", t("agent.filter.anyone")], ["me", t("agent.filter.me")],
      ["none", t("agent.filter.nobody")]], query.get("assignee") || "")),
    field(t("agent.filter.q"), h("input", { type: "search", name: "q", value: query.get("q") || "", maxLength: 200 })),
    h("label", { class: "choice" }, h("input", { type: "checkbox", name: "overdue", value: "1", checked: query.get("overdue") === "1" }),
      t("agent.filter.overdue")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agent.filter.apply"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams([...new FormData(form)].filter(([, v]) => v !== ""));
    if (!params.has("status")) params.set("status", "");
    onSubmit(params);
  });
  return form;
}

function row(item) {
  const href = `/agent/requests/${encodeURIComponent(item.ref)}`;
  return h("tr", {},
    h("td", {}, h("a", { href, "data-link": "", class: "ref" }, item.ref)),
    h("td", {}, formatDate(item.created_at)),
    h("td", {}, item.service.name),
    h("td", {}, item.address || (item.description || "").slice(0, 80)),
    h("td", {}, statusBadge(item.status)),
    h("td", {}, item.assignee?.name || item.team || "—"),
    h("td", {}, item.due_at ? formatDate(item.due_at) : "", item.overdue ? h("strong", { class: "overdue" }, ` ⚠ ${t("agent.overdue")}`) : ""));
}

export const wide = true;

export async function render(view, { app, query }) {
  add(view, heading(t("agent.title")));
  const roles = staffRoles(app.session.user);
  if (!roles.length) {
    add(view, h("p", {}, t("agent.forbidden")));
    return;
  }
  const organisation = query.get("organisation") || roles[0].organisation;
  let catalogue = [];
  try { catalogue = (await api.catalogueOf(organisation)).items; } catch (offline) { /* filters without categories */ }
  const counts = h("p", { class: "counts", "aria-live": "polite" });
  const body = h("tbody", {});
  const table = h("table", { class: "queue" }, h("caption", { class: "visually-hidden" }, t("agent.title")),
    h("thead", {}, h("tr", {}, ["ref", "date", "service", "where", "status", "assignee", "due"].map((c) => h("th", { scope: "col" }, t(`agent.col.${c}`))))),
    body);
  const more = h("div", { class: "actions" });
  const out = h("div", {});
  const params = { status: query.get("status") ?? "open", service: query.get("service"), assignee: query.get("assignee"),
    q: query.get("q"), overdue: query.get("overdue"), organisation };
  const exportQuery = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== ""));
  const exports = h("div", { class: "actions no-print" },
    h("a", { class: "button secondary", href: `/api/v1/staff/requests.csv?${exportQuery}`, download: "" }, "⤓ CSV"),
    h("a", { class: "button secondary", href: `/api/v1/staff/requests.xlsx?${exportQuery}`, download: "" }, "⤓ Excel (XLSX)"),
    h("button", { type: "button", class: "button secondary", onclick: () => print() }, `🖨 ${t("agent.print")}`),
    h("a", { class: "button", href: "/agent/new", "data-link": "" }, `+ ${t("agent.new.title")}`),
    h("a", { class: "button secondary", href: "/agent/map", "data-link": "" }, `🗺️ ${t("dispatch.title")}`),
    h("a", { class: "button secondary", href: "/agent/field", "data-link": "" }, `🧭 ${t("field.title")}`));
  add(view, filtersForm(query, catalogue, (next) => app.navigate(`/agent?${next}`)), counts, exports, out, table, more);
  const load = async (cursor) => {
    try {
      const page = await api.staffRequests({ ...params, cursor });
      if (!cursor) {
        counts.replaceChildren(...STATUSES.filter((s) => page.counts[s]).map((s) => h("span", { class: "count" }, statusBadge(s), ` ${page.counts[s]}`)));
        if (!page.items.length) out.replaceChildren(h("p", {}, t("agent.none")));
      }
      body.append(...page.items.map(row));
      more.replaceChildren(page.next_cursor ? h("button", { type: "button", class: "button secondary", onclick: () => load(page.next_cursor) }, t("messages.more")) : "");
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  await load(null);
}
