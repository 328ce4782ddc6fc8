// The audit trail, for the organisation's administrators and its secretary: read, filter, export; never edit.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, errorBox, field, h, heading } from "../ui.js";

const READERS = ["admin", "secretary"];
const KEYS = ["action", "q", "actor", "target", "from", "to"];

export const wide = true;

/** The words of an entry's details worth reading (a reason, a status, an end date), beside its action. */
function detailText(detail) {
  const parts = ["reason", "status", "valid_until", "applicant", "service", "role"].filter((k) => detail?.[k])
    .map((k) => `${t(`audit.detail.${k}`)} : ${k === "valid_until" ? formatDate(detail[k]) : k === "status" ? t(`status.${detail[k]}`) : detail[k]}`);
  return parts.length ? h("p", { class: "meta" }, parts.join(" · ")) : null;
}

export async function render(view, { app, query }) {
  add(view, heading(t("audit.title")));
  const orgs = (app.session.user?.roles || []).filter((r) => READERS.includes(r.role)).map((r) => r.organisation);
  if (!orgs.length) return add(view, h("p", {}, t("audit.forbidden")));
  const organisation = query.get("organisation") || orgs[0];
  const params = { organisation };
  const day = (value, plus) => { const d = new Date(`${value}T00:00:00`); d.setDate(d.getDate() + plus); return d.toISOString(); };
  for (const key of KEYS) if (query.get(key)) params[key] = key === "from" ? day(query.get(key), 0) : key === "to" ? day(query.get(key), 1) : query.get(key);
  const input = (name, type = "text") => h("input", { name, type, value: query.get(name) || "", maxLength: 254 });
  const action = h("select", { name: "action" }, h("option", { value: "" }, t("agent.filter.all")));
  const form = h("form", { class: "filters", role: "search", "aria-label": t("audit.filters") },
    field(t("audit.action"), action), field(t("audit.q"), input("q", "search"), t("audit.q.hint")),
    field(t("audit.actor"), input("actor", "email")),
    field(t("audit.target"), input("target")), field(t("audit.from"), input("from", "date")),
    field(t("audit.to"), input("to", "date")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agent.filter.apply"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    app.navigate(`/agent/audit?${new URLSearchParams([...new FormData(form)].filter(([, v]) => v !== ""))}`);
  });
  const body = h("tbody", {});
  const more = h("div", { class: "actions" });
  const out = h("div", {});
  add(view, h("p", { class: "meta" }, t("audit.intro")), form,
    h("div", { class: "actions no-print" }, h("a", { class: "button secondary", download: "",
      href: `/api/v1/audit.csv?${new URLSearchParams(params)}` }, "⤓ CSV"),
    h("a", { class: "button secondary", download: "", href: `/api/v1/audit.xlsx?${new URLSearchParams(params)}` }, "⤓ Excel (XLSX)")),
    out, h("table", { class: "queue" }, h("caption", { class: "visually-hidden" }, t("audit.title")),
      h("thead", {}, h("tr", {}, ["at", "actor", "action", "target", "ip"].map((c) => h("th", { scope: "col" }, t(`audit.col.${c}`))))),
      body), more);
  const load = async (cursor) => {
    try {
      const page = await api.auditTrail({ ...params, cursor });
      if (!cursor && !page.items.length) out.replaceChildren(h("p", {}, t("audit.none")));
      if (!cursor) action.append(...page.actions.map((a) => h("option", { value: a.code, selected: query.get("action") === a.code }, a.name)));
      body.append(...page.items.map((e) => h("tr", {}, h("td", {}, formatDate(e.at)), h("td", {}, e.actor || t("audit.system")),
        h("td", {}, e.action_name, detailText(e.detail)), h("td", {}, e.target_name), h("td", {}, e.ip || "—"))));
      more.replaceChildren(page.next_cursor ? h("button", { type: "button", class: "button secondary", onclick: () => load(page.next_cursor) }, t("common.more")) : "");
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  await load(null);
}
