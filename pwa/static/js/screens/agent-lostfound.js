// The lost-property office: the register of found objects, the candidate pairs, the claims to decide and hand over.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, announce, errorBox, field, h, heading } from "../ui.js";
import { staffRoles } from "./agent-queue.js";
import { colourName } from "./lost-common.js";

export const wide = true;
const OUTCOMES = ["to_finder", "donated", "destroyed", "to_issuer"];

function table(caption, columns, rows) {
  return h("table", { class: "queue" }, h("caption", { class: "visually-hidden" }, caption),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, rows));
}

const refLink = (ref) => h("a", { href: `/agent/requests/${encodeURIComponent(ref)}`, "data-link": "", class: "ref" }, ref);

function claimCard(c, reload) {
  const out = h("div", {});
  const act = async (work) => {
    try {
      await work();
      announce(t("lostfound.done"), { kind: "ok" });
      reload();
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  const note = h("input", { name: "note", maxLength: 500 });
  const identity = h("input", { name: "identity", maxLength: 120 });
  return h("li", { class: "card", "data-claim": c.id }, h("div", { class: "body" },
    h("p", { class: "title" }, refLink(c.found), " ← ", refLink(c.lost), " · ", c.claimant),
    h("dl", { class: "facts" },
      h("dt", {}, t("lostfound.answer")), h("dd", {}, c.answer),
      h("dt", {}, t("lostfound.marks")), h("dd", {}, c.found_marks || "—"),
      h("dt", {}, t("lostfound.described")), h("dd", {}, c.found_description || "—"),
      c.proofs?.length ? [h("dt", {}, t("lostfound.proof")), h("dd", {}, c.proofs.map((p, i) => h("a", { href: p.url, target: "_blank", rel: "noopener" },
        h("img", { src: p.thumbnail_url, alt: t("lostfound.proof_alt", { n: i + 1 }), loading: "lazy", class: "proof" }))))] : null),
    c.state === "pending" ? [field(t("lostfound.note"), note),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "button", onclick: () => act(() => api.decideClaim(c.id, true, note.value.trim())) }, `✔ ${t("lostfound.accept")}`),
        h("button", { type: "button", class: "button secondary", onclick: () => act(() => api.decideClaim(c.id, false, note.value.trim())) }, `✖ ${t("lostfound.refuse")}`))]
      : [field(t("lostfound.identity"), identity, t("lostfound.identity.hint")),
        h("div", { class: "actions" }, h("button", { type: "button", class: "button", onclick: () => act(() => api.handOver(c.id, identity.value.trim())) }, t("lostfound.handover")))],
    out));
}

function storageCell(item, reload) {
  const input = h("input", { name: "storage_place", value: item.storage_place || "", maxLength: 200,
    "aria-label": t("lostfound.storage.for", { ref: item.ref }) });
  const form = h("form", { class: "inline no-print" }, input, h("button", { type: "submit", class: "button secondary" }, t("lostfound.move")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.moveFound(item.ref, input.value.trim());
      announce(t("lostfound.done"), { kind: "ok" });
      reload();
    } catch (error) {
      form.append(errorBox(error, form));
    }
  });
  return [h("span", { class: "print-only" }, item.storage_place || "—"), form];
}

export async function render(view, { app, query }) {
  add(view, heading(t("lostfound.title")));
  const roles = staffRoles(app.session.user).filter((r) => r.role !== "field_agent");
  if (!roles.length) return add(view, h("p", {}, t("agent.forbidden")));
  const organisation = roles[0].organisation;
  const due = query.get("due") === "week";
  const reload = () => app.navigate(location.pathname + location.search, { replace: true, state: { keepFocus: true } });
  try {
    const [register, pairs, pending, accepted] = await Promise.all([api.lostRegister(organisation, due ? "week" : undefined),
      api.lostPairs(organisation), api.lostClaims(organisation, "pending"), api.lostClaims(organisation, "accepted")]);
    const outcome = (item) => {
      const select = h("select", { name: "outcome", "aria-label": t("lostfound.outcome.for", { ref: item.ref }) },
        OUTCOMES.map((o) => h("option", { value: o }, t(`lostfound.outcome.${o}`))));
      return h("span", { class: "inline" }, select, h("button", { type: "button", class: "button secondary",
        onclick: async () => { await api.lostOutcome(item.ref, select.value); announce(t("lostfound.done"), { kind: "ok" }); reload(); } }, t("lostfound.decide")));
    };
    add(view,
      h("div", { class: "actions no-print" },
        h("a", { class: "button secondary", href: due ? "/agent/lostfound" : "/agent/lostfound?due=week", "data-link": "" },
          due ? t("lostfound.all") : t("lostfound.due_week")),
        h("a", { class: "button", href: "/agent/new", "data-link": "" }, `+ ${t("lostfound.record")}`),
        h("button", { type: "button", class: "button secondary", onclick: () => print() }, `🖨 ${t("lostfound.print")}`)),
      h("h2", {}, t("lostfound.claims"), ` (${pending.items.length + accepted.items.length})`),
      pending.items.length + accepted.items.length
        ? h("ul", { class: "cards no-print" }, [...pending.items, ...accepted.items].map((c) => claimCard(c, reload)))
        : h("p", { class: "meta" }, t("lostfound.no_claims")),
      h("h2", {}, t("lostfound.pairs")),
      pairs.items.length ? table(t("lostfound.pairs"), [t("lostfound.col.lost"), t("lostfound.col.found"), t("lostfound.col.score"), t("lostfound.col.reasons")],
        pairs.items.map((p) => h("tr", {}, h("td", {}, refLink(p.lost)), h("td", {}, refLink(p.found)), h("td", {}, `${Math.round(p.score * 100)} %`),
          h("td", {}, p.reasons.filter((r) => r.code !== "category").map((r) => `${t(`lostfound.reason.${r.code}`)} ${Math.round((r.score ?? 1) * 100)} %${r.distance_m !== undefined ? ` (${r.distance_m} m)` : ""}`).join(" · ")))))
        : h("p", { class: "meta" }, t("lostfound.no_pairs")),
      h("h2", {}, t("lostfound.register")),
      table(t("lostfound.register"), [t("agent.col.ref"), t("lostfound.col.object"), t("lostfound.col.storage"), t("lostfound.col.until"), ""],
        register.items.map((i) => h("tr", {}, h("td", {}, refLink(i.ref)),
          h("td", {}, t(`category.${i.category}`), i.colour ? ` · ${colourName(i.colour)}` : "", i.brand ? ` · ${i.brand}` : ""),
          h("td", {}, i.finder_keeps ? t("lost.with_finder") : storageCell(i, reload)),
          h("td", {}, i.holding_until ? formatDate(i.holding_until) : "—", i.holding_ended ? h("strong", { class: "overdue" }, ` ⚠ ${t("lostfound.ended")}`) : ""),
          h("td", { class: "no-print" }, i.holding_ended ? outcome(i) : "")))));
  } catch (error) {
    add(view, errorBox(error));
  }
}
