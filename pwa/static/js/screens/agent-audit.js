// The audit trail, for the organisation's administrators and its secretary: read, filter, export; never edit.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, errorBox, field, h, heading } from "../ui.js";

const READERS = ["admin", "secretary"];
const KEYS = ["action", "actor", "target", "from", "to"];

export const wide = true;

export async function render(view, { app, query }) {
  add(view, heading(t("audit.title")));
  const orgs = (app.session.user?.roles || []).filter((r) => READERS.includes(r.role)).map((r) => r.organisation);
  if (!orgs.length) return add(view, h("p", {}, t("audit.forbidden")));
  const organisation = query.get("organisation") || orgs[0];
  const params = { organisation };
  const day = (value, plus) => { const d = new Date(`${value}T00:00:00`); d.setDate(d.getDate() + plus); return d.toISOString(); };
  for (const key of KEYS) if (query.get(key)) params[key] = key === "from" ? day(query.get(key), 0) : key === "to" ? day(query.get(key), 1) : query.get(key);
  const input = (name, type = "text") => h("input", { name, type, value: query.get(name) || "", maxLength: 254 });
  const form = h("form", { class: "filters", role: "search", "aria-label": t("audit.filters") },
    field(t("audit.action"), input("action"), t("audit.action.hint")), field(t("audit.actor"), input("actor", "email")),
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
      href: `/api/v1/audit.csv?${new URLSearchParams(params)}` }, "⤓ CSV")),
    out, h("table", { class: "queue" }, h("caption", { class: "visually-hidden" }, t("audit.title")),
      h("thead", {}, h("tr", {}, ["at", "actor", "action", "target", "ip"].map((c) => h("th", { scope: "col" }, t(`audit.col.${c}`))))),
      body), more);
  const load = async (cursor) => {
    try {
      const page = await api.auditTrail({ ...params, cursor });
      if (!cursor && !page.items.length) out.replaceChildren(h("p", {}, t("audit.none")));
      body.append(...page.items.map((e) => h("tr", {}, h("td", {}, formatDate(e.at)), h("td", {}, e.actor || "—"),
        h("td", {}, e.action), h("td", {}, e.target), h("td", {}, e.ip))));
      more.replaceChildren(page.next_cursor ? h("button", { type: "button", class: "button secondary", onclick: () => load(page.next_cursor) }, t("common.more")) : "");
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  await load(null);
}
