// Statistics of the requests this staff member may see: a table by service (or organisation, channel, status),
// and a chart per week beside its own table. Bars differ by pattern and carry their number, not by colour alone.
import * as api from "../api.js";
import { formatShort, language, t } from "../i18n.js";
import { add, errorBox, field, h, heading } from "../ui.js";

export const wide = true;
const SVG = "http://www.w3.org/2000/svg";

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

const hours = (part) => (part ? `${part.median} / ${part.p90}` : "—");
const share = (value) => (value === null ? "—" : `${Math.round(value * 100)} %`);

function figuresTable(body) {
  const row = (label, g) => h("tr", {}, h("th", { scope: "row" }, label),
    [g.received, g.resolved, g.open, g.overdue].map((n) => h("td", { class: "num" }, String(n))),
    h("td", { class: "num" }, share(g.overdue_share)), h("td", { class: "num" }, hours(g.first_answer_hours)),
    h("td", { class: "num" }, hours(g.resolution_hours)));
  return h("table", { class: "queue stats", "data-js": "figures" }, h("caption", {}, t("stats.table", { group: t(`stats.by.${body.group_by}`).toLowerCase() })),
    h("thead", {}, h("tr", {}, [t(`stats.by.${body.group_by}`), t("stats.received"), t("stats.resolved"), t("stats.open"),
      t("stats.overdue"), t("stats.overdue_share"), t("stats.first_answer"), t("stats.resolution")].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, body.groups.map((g) => row(g.label, g))),
    h("tfoot", {}, row(t("stats.total"), body.totals)));
}

/** Received (plain bars) and resolved (striped bars) per week, each bar with its number above it. */
function weekChart(weeks) {
  if (!weeks.length) return h("p", {}, t("stats.none"));
  const max = Math.max(1, ...weeks.flatMap((w) => [w.received, w.resolved]));
  const band = 46;
  const width = weeks.length * band + 40;
  const height = 180;
  const y = (n) => 150 - Math.round((n / max) * 120);
  const bars = weeks.flatMap((w, i) => {
    const x = 30 + i * band;
    return [
      s("rect", { x, y: y(w.received), width: 16, height: 150 - y(w.received), class: "bar received" }),
      s("text", { x: x + 8, y: y(w.received) - 4, "text-anchor": "middle", class: "bar-value" }, String(w.received)),
      s("rect", { x: x + 18, y: y(w.resolved), width: 16, height: 150 - y(w.resolved), class: "bar resolved", fill: "url(#stats-stripes)" }),
      s("text", { x: x + 26, y: y(w.resolved) - 4, "text-anchor": "middle", class: "bar-value" }, String(w.resolved)),
      s("text", { x: x + 17, y: 168, "text-anchor": "middle", class: "bar-label" }, w.week.slice(5).split("-").reverse().join(".")),
    ];
  });
  return s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-labelledby": "stats-chart-title" },
    s("title", { id: "stats-chart-title" }, t("stats.chart")),
    s("defs", {}, s("pattern", { id: "stats-stripes", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
      s("rect", { width: 6, height: 6, class: "stripe-bg" }), s("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "stripe" }))),
    s("line", { x1: 24, y1: 150, x2: width - 4, y2: 150, class: "axis" }), ...bars);
}

function weekTable(weeks) {
  return h("table", { class: "queue stats" }, h("caption", {}, t("stats.weeks")),
    h("thead", {}, h("tr", {}, [t("stats.week"), t("stats.received"), t("stats.resolved")].map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, weeks.map((w) => h("tr", {}, h("th", { scope: "row" }, formatShort(`${w.week}T00:00:00Z`).split(" ")[0]),
      h("td", { class: "num" }, String(w.received)), h("td", { class: "num" }, String(w.resolved))))));
}

export async function render(view, { app, query }) {
  add(view, h("p", {}, h("a", { href: "/agent", "data-link": "" }, `← ${t("agent.back")}`)), heading(t("stats.title")));
  const params = { group_by: query.get("group_by") || "service", organisation: query.get("organisation") || "",
    from: query.get("from") || "", to: query.get("to") || "" };
  const orgs = [...new Set((app.session.user?.roles || []).filter((r) => r.role !== "citizen").map((r) => r.organisation))];
  const form = h("form", { class: "filters no-print", method: "get", action: "/agent/stats" },
    field(t("stats.group_by"), h("select", { name: "group_by" }, ["service", "organisation", "channel", "status"].map((g) =>
      h("option", { value: g, selected: g === params.group_by }, t(`stats.by.${g}`))))),
    orgs.length > 1 ? field(t("stats.organisation"), h("select", { name: "organisation" }, h("option", { value: "" }, t("stats.all")),
      orgs.map((o) => h("option", { value: o, selected: o === params.organisation }, app.config.names?.[o]?.[language()] || o)))) : null,
    field(t("stats.from"), h("input", { type: "date", name: "from", value: params.from.slice(0, 10) }), t("stats.from.hint")),
    field(t("stats.to"), h("input", { type: "date", name: "to", value: params.to.slice(0, 10) })),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("stats.show"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(form)].filter(([, v]) => v));
    app.navigate(`/agent/stats?${new URLSearchParams(chosen)}`);
  });
  add(view, form);
  const asked = Object.fromEntries(Object.entries(params).filter(([, v]) => v));
  let body;
  try {
    body = await api.staffStats(asked);
  } catch (error) {
    return add(view, errorBox(error, form));
  }
  const exportQuery = new URLSearchParams(asked);
  add(view, h("p", { class: "meta" }, t("stats.period", { from: formatShort(body.from).split(" ")[0], to: body.to ? formatShort(body.to).split(" ")[0] : t("stats.today") })),
    h("div", { class: "actions tight no-print" },
      h("a", { class: "button secondary small", href: `/api/v1/staff/stats.csv?${exportQuery}`, download: "" }, "⤓ CSV"),
      h("a", { class: "button secondary small", href: `/api/v1/staff/stats.xlsx?${exportQuery}`, download: "" }, "⤓ Excel (XLSX)")),
    figuresTable(body), h("p", { class: "hint" }, t("stats.hours")),
    h("h2", {}, t("stats.weeks")),
    h("div", { class: "chart-and-table" }, h("figure", { class: "chart" }, weekChart(body.weeks),
      h("figcaption", {}, h("span", { class: "swatch received", "aria-hidden": "true" }), ` ${t("stats.received")}  `,
        h("span", { class: "swatch resolved", "aria-hidden": "true" }), ` ${t("stats.resolved")}`)), weekTable(body.weeks)));
}
