// The agents' queue: their organisation's requests, filtered, sorted, counted by status, acted on in bulk;
// a table on a desk, cards on a phone.
import * as api from "../api.js";
import { formatDate, formatShort, t } from "../i18n.js";
import { add, errorBox, h, heading, statusBadge, watchesLive } from "../ui.js";
import { canAssign, peopleOf } from "./assign.js";
import { bulkBar } from "./queue-bulk.js";
import { apiParams, filtersForm, formQuery, PRIORITIES, savedFilters, STATUSES } from "./queue-filters.js";

export const staffRoles = (user) => (user?.roles || []).filter((r) => !["citizen", "prefect"].includes(r.role));
const priorityName = (p) => (PRIORITIES.find(([v]) => Number(v) === p) || ["0", "normal"])[1];

function row(item, selected, onToggle) {
  const href = `/agent/requests/${encodeURIComponent(item.ref)}`;
  const priority = priorityName(item.priority);
  return h("tr", {},
    h("td", {}, h("input", { type: "checkbox", checked: selected.has(item.ref), "aria-label": t("agent.bulk.select", { ref: item.ref }),
      onchange: (event) => onToggle(item.ref, event.target.checked) })),
    h("td", {}, h("a", { href, "data-link": "", class: "ref" }, item.ref)),
    h("td", {}, h("time", { datetime: item.created_at, title: formatDate(item.created_at) }, formatShort(item.created_at))),
    h("td", {}, item.service.name, item.photos.length ? h("span", { title: t("agent.filter.with_photo") }, " 📷") : ""),
    h("td", {}, item.address || (item.description || "").slice(0, 80)),
    h("td", {}, statusBadge(item.status)),
    h("td", { class: `priority ${priority}` }, priority === "normal" ? "" : `${priority === "low" ? "↓" : "↑"} ${t(`priority.${priority}`)}`),
    h("td", {}, item.assignee?.name || item.team || "—"),
    h("td", {}, item.due_at ? h("time", { datetime: item.due_at, title: formatDate(item.due_at) }, formatShort(item.due_at)) : "", item.overdue ? h("strong", { class: "overdue" }, ` ⚠ ${t("agent.overdue")}`) : ""));
}

export const wide = true;
const PRINT_MAX = 2000;

export async function render(view, { app, query }) {
  add(view, heading(t("agent.title")));
  const roles = staffRoles(app.session.user);
  if (app.session.user?.second_factor_missing) {
    add(view, h("p", { class: "notice info" }, t("sf.missing"), " ",
      h("a", { href: "/account/second-factor?next=/agent", "data-link": "" }, t("sf.setup"))));
  }
  if (!roles.length) {
    add(view, h("p", {}, t("agent.forbidden")), h("p", {}, h("a", { href: "/staff/join", "data-link": "" }, t("account.join"))));
    return;
  }
  const organisation = query.get("organisation") || roles[0].organisation;
  let catalogue = [];
  try { catalogue = (await api.catalogueOf(organisation)).items; } catch (offline) { /* filters without categories */ }
  const assigner = canAssign(app.session.user, organisation);
  const people = assigner ? await peopleOf(organisation).catch(() => []) : [];
  const params = apiParams(query, organisation);
  const counts = h("p", { class: "counts", "aria-live": "polite" });
  const body = h("tbody", {});
  const selected = new Set();
  const shown = [];
  const all = h("input", { type: "checkbox", "aria-label": t("agent.bulk.all") });
  const table = h("table", { class: "queue" }, h("caption", { class: "visually-hidden" }, t("agent.title")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, all),
      ["ref", "date", "service", "where", "status", "priority", "assignee", "due"].map((c) => h("th", { scope: "col" }, t(`agent.col.${c}`))))),
    body);
  const more = h("div", { class: "actions" });
  const out = h("div", {});
  const exportQuery = new URLSearchParams(Object.entries(params));
  // The staff area's other screens, in one line of links above the queue; the queue's own actions below its filters.
  const link = (href, text) => h("a", { href, "data-link": "" }, text);
  const areas = h("nav", { class: "staff-nav no-print", "aria-label": t("agent.areas") }, h("ul", {},
    [watchesLive(app.session.user) ? link("/agent/map", `🗺️ ${t("dispatch.title")}`) : null,
      link("/agent/field", `🧭 ${t("field.title")}`), link("/agent/lostfound", `🧳 ${t("lostfound.link")}`),
      link("/agent/access", `🪪 ${t("access.link")}`), link("/agent/stats", `📊 ${t("stats.link")}`),
      link("/agent/agendas", `📅 ${t("agendas.link")}`),
      roles.some((r) => ["service_manager", "admin"].includes(r.role)) ? link("/agent/questions", `✏️ ${t("questions.link")}`) : null,
      roles.some((r) => ["admin", "secretary"].includes(r.role)) ? link("/agent/audit", `📜 ${t("audit.link")}`) : null,
      roles.some((r) => ["admin", "secretary", "deputy"].includes(r.role)) ? link("/agent/privacy", `🛡️ ${t("privacy.link")}`) : null,
      roles.some((r) => r.role === "admin") ? link("/agent/pages", `📄 ${t("pages.link")}`) : null,
      roles.some((r) => r.role === "admin") ? link("/agent/open311", `🔑 ${t("open311.link")}`) : null]
      .filter(Boolean).map((a) => h("li", {}, a))));
  const exports = h("div", { class: "actions tight no-print" },
    h("a", { class: "button small", href: "/agent/new", "data-link": "" }, `+ ${t("agent.new.title")}`),
    h("a", { class: "button secondary small", href: `/api/v1/staff/requests.csv?${exportQuery}`, download: "" }, "⤓ CSV"),
    h("a", { class: "button secondary small", href: `/api/v1/staff/requests.xlsx?${exportQuery}`, download: "" }, "⤓ Excel (XLSX)"),
    h("button", { type: "button", class: "button secondary small", onclick: () => printAll() }, `🖨 ${t("agent.print")}`));
  // "Imprimer la liste" prints the whole filtered list, not the rows loaded so far (up to PRINT_MAX, said if cut).
  let nextCursor = null;
  const printNote = h("p", { class: "print-only meta" });
  const printAll = async () => {
    let cut = false;
    while (nextCursor) {
      if (shown.length >= PRINT_MAX) { cut = true; break; }
      await load(nextCursor);
    }
    printNote.textContent = cut ? t("agent.print.cut", { count: shown.length }) : t("agent.print.all", { count: shown.length });
    print();
  };
  const toggle = (ref, on) => { if (on) selected.add(ref); else selected.delete(ref); bulk.refresh(); };
  // After a bulk change the rows are read again in place: the page stays, and the result with it until dismissed.
  const bulk = bulkBar({ selected, assigner, people, onDone: async () => {
    selected.clear();
    all.checked = false;
    shown.length = 0;
    body.replaceChildren();
    await load(null);
    bulk.refresh();
  } });
  all.addEventListener("change", () => {
    for (const ref of shown) toggle(ref, all.checked);
    body.querySelectorAll("input[type=checkbox]").forEach((box) => { box.checked = all.checked; });
  });
  const teams = [...new Set([...catalogue.map((s) => s.team), ...people.map((p) => p.team)].filter(Boolean))];
  const filters = filtersForm(query, catalogue, (next) => app.navigate(`/agent?${next}`), teams);
  add(view, areas, h("details", { class: "no-print", open: window.matchMedia("(min-width: 60em)").matches },
    h("summary", {}, t("agent.filters")), filters), counts, exports, await savedFilters(query, () => formQuery(filters)),
  out, bulk.form, printNote, h("div", { class: "queue-scroll" }, table), more);
  async function load(cursor) {
    try {
      const page = await api.staffRequests({ ...params, cursor });
      if (!cursor) {
        counts.replaceChildren(...STATUSES.filter((s) => page.counts[s]).map((s) => h("span", { class: "count" }, statusBadge(s), ` ${page.counts[s]}`)));
        if (!page.items.length) out.replaceChildren(h("p", {}, t("agent.none")));
      }
      shown.push(...page.items.map((i) => i.ref));
      body.append(...page.items.map((i) => row(i, selected, toggle)));
      nextCursor = page.next_cursor;
      more.replaceChildren(page.next_cursor ? h("button", { type: "button", class: "button secondary", onclick: () => load(page.next_cursor) }, t("common.more")) : "");
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  }
  await load(null);
}
