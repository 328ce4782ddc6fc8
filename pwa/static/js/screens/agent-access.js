// Staff access dashboards: my requests, identities to validate, attachments and rights to decide; idle accounts.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, announce, errorBox, field, h, heading } from "../ui.js";
import { endForm } from "./agent-people.js";
import { requestItem } from "./staff-join.js";

const LAST_SEARCH = "guichet.access.search";
const PAGE_SIZE = 50;

const BOXES = ["identity", "attachments", "rights", "mine"];
const METHODS = ["in_person", "phone", "known_email", "document"];
const REFEREES = ["secretary", "deputy"];

export const wide = true;

function identityText(identity) {
  const who = [identity.civility ? t(`join.civility.${identity.civility}`) : "", identity.first_names, identity.surname].filter(Boolean).join(" ");
  const born = identity.birth_date ? t("access.born", { date: formatDate(`${identity.birth_date}T12:00:00Z`).split(" ").slice(0, 3).join(" ") }) : "";
  return [who, born, identity.postal_address, ...["function", "department", "phone", "employee_number"].map((k) => identity[k])]
    .filter(Boolean).join(" · ") || "—";
}

function decision(item, done) {
  const out = h("div", {});
  const needsMethod = item.kind === "account" || item.kind === "secretary";
  // A right may end: the date asked is shown and can be set or shortened before accepting.
  const until = item.kind === "rights" ? h("input", { type: "date", name: "valid_until", min: new Date().toISOString().slice(0, 10),
    value: item.valid_until ? item.valid_until.slice(0, 10) : "" }) : null;
  const method = h("select", { name: "identity_method" }, h("option", { value: "" }, "—"),
    METHODS.map((m) => h("option", { value: m }, t(`access.method.${m}`))));
  const form = h("form", { novalidate: true, class: "decision", "aria-label": `${t("access.col.action")} ${item.id}` },
    needsMethod ? field(t("access.method"), method) : null,
    needsMethod ? field(t("access.note"), h("input", { type: "text", name: "identity_note", maxLength: 300 })) : null,
    until ? field(t("access.until"), until, t("access.until.hint")) : null,
    field(t("access.reason"), h("input", { type: "text", name: "reason", maxLength: 2000 })), out,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "button", value: "accept" }, t("access.accept")),
      h("button", { type: "submit", class: "button secondary", value: "refuse" }, t("access.refuse")),
      h("button", { type: "submit", class: "button secondary", value: "hold" }, t("access.hold"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    const data = new FormData(form);
    const accept = event.submitter?.value === "accept";
    const hold = event.submitter?.value === "hold";  // waiting for a document or an answer, said in the reason
    try {
      const decided = await api.decideAccess(item.id, {
        accept, ...(hold ? { hold } : {}), reason: data.get("reason") || "",
        ...(until && until.value ? { valid_until: new Date(`${until.value}T23:59:59`).toISOString() } : {}),
        ...(needsMethod && data.get("identity_method") ? { identity_method: data.get("identity_method"), identity_note: data.get("identity_note") } : {}),
      });
      announce(t("access.decided", { id: decided.id, status: t(`access.status.${decided.status}`) }), { kind: "ok" });
      done();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

function table(items, reload) {
  return h("table", { class: "queue access" }, h("caption", { class: "visually-hidden" }, t("access.title")),
    h("thead", {}, h("tr", {}, ["when", "who", "what", "identity", "status", "action"].map((c) => h("th", { scope: "col" }, t(`access.col.${c}`))))),
    h("tbody", {}, items.map((i) => h("tr", { "data-access": i.id },
      h("td", {}, formatDate(i.created_at)),
      h("td", {}, i.applicant.name, h("br"), h("span", { class: "meta" }, i.applicant.email)),
      h("td", {}, i.what, i.valid_until ? h("p", { class: "meta" }, t("access.until.asked", { date: formatDate(i.valid_until) })) : null,
        i.message ? h("p", { class: "meta" }, i.message) : null),
      h("td", {}, identityText(i.identity), i.document ? h("p", {}, h("a", { href: i.document.url, target: "_blank", rel: "noopener" },
        t("access.document", { type: i.document.type === "pdf" ? "PDF" : "JPEG" }))) : null),
      h("td", {}, t(`access.status.${i.status}`), i.decided_by ? h("p", { class: "meta" }, t("access.by", { name: i.decided_by })) : null,
        i.status === "on_hold" && i.reason ? h("p", { class: "meta" }, t("access.held_for", { reason: i.reason })) : null),
      h("td", {}, i.can_decide ? decision(i, reload) : i.reason || "")))));
}

async function idleSection(organisation, days) {
  const { items } = await api.idleAccounts(organisation);
  const section = h("section", { "aria-labelledby": "idle-title" }, h("h2", { id: "idle-title" }, t("access.idle", { days })));
  if (!items.length) return add(section, h("p", {}, t("access.idle.none")));
  return add(section, h("ul", { class: "cards" }, items.map((p) => {
    const item = h("li", { class: "access-item" }, h("p", {}, h("strong", {}, p.name), ` · ${p.email}`),
      h("p", { class: "meta" }, p.last_login_at ? formatDate(p.last_login_at) : t("access.idle.never")));
    item.append(endForm(organisation, p, () => item.remove()));
    return item;
  })));
}

export async function render(view, { app, query }) {
  add(view, heading(t("access.title")));
  if (!app.session.user) return add(view, h("p", {}, h("a", { href: "/account/login?next=/agent/access", "data-link": "" }, t("account.login"))));
  const summary = await api.accessSummary();
  if (summary.second_factor_missing) {
    add(view, h("p", { class: "notice info" }, t("sf.missing"), " ", h("a", { href: "/account/second-factor?next=/agent/access", "data-link": "" }, t("sf.setup"))));
  }
  // The last search comes back when the dashboard is opened again without one.
  const last = localStorage.getItem(LAST_SEARCH);
  if (!location.search && last) return app.navigate(`/agent/access?${last}`, { replace: true });
  const box = BOXES.includes(query.get("box")) ? query.get("box") : BOXES.find((b) => summary.counts[b]) || "mine";
  const params = { box, status: query.get("status") || "", q: query.get("q") || "" };
  const link = (extra) => `/agent/access?${new URLSearchParams(Object.entries({ ...params, ...extra }).filter(([, v]) => v))}`;
  add(view, h("nav", { class: "box-tabs no-print", "aria-label": t("access.title") }, BOXES.map((b) => h("a", {
    href: link({ box: b, status: "", q: "" }), "data-link": "", class: "button secondary", "aria-current": b === box ? "page" : undefined,
  }, t(`access.box.${b}`), b !== "mine" || summary.counts[b] ? ` (${summary.counts[b]})` : ""))));
  const status = h("select", { name: "status" }, h("option", { value: "" }, t("access.status.default")),
    ["pending", "on_hold", "accepted", "refused", "withdrawn", "all"].map((s) => h("option", { value: s, selected: params.status === s }, t(`access.status.${s}`))));
  const form = h("form", { class: "filters no-print", role: "search", "aria-label": t("access.filters") },
    h("input", { type: "hidden", name: "box", value: box }), field(t("access.status"), status),
    field(t("access.q"), h("input", { type: "search", name: "q", value: params.q, maxLength: 200 })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agent.filter.apply"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    app.navigate(`/agent/access?${new URLSearchParams([...new FormData(form)].filter(([, v]) => v !== ""))}`);
  });
  const listParams = Object.fromEntries(Object.entries(params).filter(([, v]) => v));
  localStorage.setItem(LAST_SEARCH, new URLSearchParams(listParams).toString());
  const pageInfo = h("p", { class: "meta", role: "status", "data-js": "page-info" });
  let pageNo = 0;
  const out = h("div", {});
  const more = h("div", { class: "actions no-print" });
  add(view, summary.powers.length ? h("p", { class: "no-print" }, h("a", { href: "/agent/people", "data-link": "" }, `👥 ${t("people.link")}`)) : null,
    form, h("div", { class: "actions no-print" },
    h("a", { class: "button secondary", download: "", href: api.accessExportUrl("csv", listParams) }, "⤓ CSV"),
    h("a", { class: "button secondary", download: "", href: api.accessExportUrl("xlsx", listParams) }, "⤓ XLSX"),
    h("button", { type: "button", class: "button secondary", onclick: () => print() }, t("access.print"))), pageInfo, out, more);
  const rerender = () => app.navigate(link({}), { replace: true });
  const load = async (cursor) => {
    try {
      const page = await api.accessRequests({ ...listParams, cursor, limit: PAGE_SIZE });
      pageNo += 1;
      pageInfo.textContent = page.total ? t("access.page", { page: pageNo, pages: Math.ceil(page.total / PAGE_SIZE), total: page.total }) : "";
      if (!cursor && !page.items.length) out.replaceChildren(h("p", {}, t("access.none")));
      else if (box === "mine") out.append(h("ul", { class: "cards" }, page.items.map((i) => requestItem(i, null))));
      else out.append(table(page.items, rerender));
      more.replaceChildren(page.next_cursor ? h("button", { type: "button", class: "button secondary", onclick: () => load(page.next_cursor) }, t("common.more")) : "");
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  await load(null);
  for (const held of summary.held.filter((m) => REFEREES.includes(m.role))) {
    if (!summary.second_factor_missing) add(view, await idleSection(held.organisation, summary.idle_days));
  }
}
