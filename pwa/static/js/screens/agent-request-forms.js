// The staff request page's other forms: handling (team, priority, due date), merge as duplicate, split, move,
// moderation.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { announce, errorBox, field, h } from "../ui.js";
import { PRIORITIES } from "./queue-filters.js";

const localInput = (iso) => {
  if (!iso) return "";
  const d = new Date(iso);
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
};

function submitting(form, out, send, done) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await send();
      if (answer !== false) await done(answer);
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

/** Team (for those who assign), priority and due date; only what changed is sent. */
export function handlingForm(req, { assigner, reload }) {
  const team = assigner ? h("input", { name: "team", value: req.team || "", maxLength: 80 }) : null;
  const priority = h("select", { name: "priority" }, PRIORITIES.map(([v, n]) =>
    h("option", { value: v, selected: Number(v) === req.priority }, t(`priority.${n}`))));
  const due = h("input", { type: "datetime-local", name: "due_at", value: localInput(req.due_at) });
  const out = h("div", {});
  const form = h("form", { class: "filters" }, team ? field(t("agent.handling.team"), team) : null,
    field(t("agent.handling.priority"), priority), field(t("agent.handling.due"), due), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button secondary" }, t("agent.handling.save"))));
  return submitting(form, out, () => {
    const change = {};
    if (team && team.value.trim() !== (req.team || "")) change.team = team.value.trim();
    if (Number(priority.value) !== req.priority) change.priority = Number(priority.value);
    if (due.value && due.value !== localInput(req.due_at)) change.due_at = new Date(due.value).toISOString();
    if (!Object.keys(change).length) {
      out.replaceChildren(errorBox({ message: t("agent.handling.unchanged") }));
      return false;
    }
    return api.postEvent(req.ref, change);
  }, async () => { announce(t("agent.handling.done"), { kind: "ok" }); await reload(); });
}

/** Merge into an earlier request: the nearby open ones of the same category are offered first. */
export async function mergeForm(req, { reload }) {
  const nearby = req.lat === null ? [] : (await api.nearby(req.lat, req.lon, req.service.code).catch(() => ({ items: [] })))
    .items.filter((i) => i.ref !== req.ref);
  const original = h("input", { name: "duplicate_of", required: true, maxLength: 32, list: "merge-candidates", autocomplete: "off" });
  const out = h("div", {});
  const form = h("form", {},
    nearby.length ? h("p", { class: "meta" }, t("agent.merge.nearby"), " ", nearby.map((i) => h("button", {
      type: "button", class: "button link", onclick: () => { original.value = i.ref; original.focus(); } },
    `${i.ref} (${Math.round(i.distance_m)} m)`))) : null,
    field(t("agent.merge.original"), original), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button secondary" }, t("agent.merge.save"))));
  return submitting(form, out, () => api.postEvent(req.ref, { status: "duplicate", duplicate_of: original.value.trim() }), reload);
}

/** Split: part of the report becomes a request of its own, with the same author and place. */
export function splitForm(req, catalogue, { app }) {
  const service = h("select", { name: "service" }, catalogue.filter((s) => s.kind === "incident").map((s) =>
    h("option", { value: s.code }, s.name)));
  const description = h("textarea", { name: "description", required: true, maxLength: app.config.max_description });
  const out = h("div", {});
  const form = h("form", {}, field(t("agent.split.service"), service), field(t("agent.split.description"), description), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button secondary" }, t("agent.split.save"))));
  return submitting(form, out, () => api.splitRequest(req.ref, { service: service.value, description: description.value.trim() }),
    (created) => { announce(t("agent.split.done", { ref: created.ref }), { kind: "ok" }); app.navigate(`/agent/requests/${encodeURIComponent(created.ref)}`); });
}

/** Move: to the right service here or, for those who assign, to the right organisation; the reason is what the
 *  citizen reads with the service it went to. */
export async function moveForm(req, catalogue, { app, assigner, reload }) {
  const orgs = assigner ? (await api.organisations().catch(() => ({ items: [] }))).items : [];
  const organisation = orgs.length > 1 ? h("select", { name: "organisation" }, orgs.map((o) =>
    h("option", { value: o.slug, selected: o.slug === req.organisation }, o.name))) : null;
  const service = h("select", { name: "service", required: true });
  const fill = (items, slug) => service.replaceChildren(...items
    .filter((s) => s.kind === req.service.kind && !(slug === req.organisation && s.code === req.service.code))
    .map((s) => h("option", { value: s.code }, s.name)));
  fill(catalogue, req.organisation);
  organisation?.addEventListener("change", async () => {
    fill((await api.catalogueOf(organisation.value).catch(() => ({ items: [] }))).items, organisation.value);
  });
  const reason = h("textarea", { name: "reason", required: true, maxLength: app.config.max_comment, rows: 2 });
  const out = h("div", {});
  const form = h("form", { novalidate: true }, organisation ? field(t("agent.move.organisation"), organisation) : null,
    field(t("agent.move.service"), service), field(t("agent.move.reason"), reason, t("agent.move.reason.hint")), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button secondary" }, t("agent.move.save"))));
  return submitting(form, out, () => {
    if (!reason.value.trim()) {
      out.replaceChildren(errorBox({ field: "reason", message: t("error.required") }, form));
      return false;
    }
    const elsewhere = organisation && organisation.value !== req.organisation;
    return api.moveRequest(req.ref, { service: service.value, reason: reason.value.trim(),
      ...(elsewhere ? { organisation: organisation.value } : {}) }).then(() => elsewhere);
  }, async (elsewhere) => {
    announce(t(elsewhere ? "agent.move.handed" : "agent.move.done"), { kind: "ok" });
    if (elsewhere) app.navigate("/agent");  // it is the other organisation's now
    else await reload();
  });
}

/** Moderation: hide the citizen's text or one photo from the public (or show it again), with a reason. */
export function moderationForm(req, { reload }) {
  const items = [
    ...(req.description ? [{ value: "description", label: t("agent.moderation.description"), hidden: req.description_hidden }] : []),
    ...req.photos.map((p, i) => ({ value: p.url, label: t("agent.moderation.photo", { n: i + 1 }), hidden: p.hidden })),
  ];
  if (!items.length) return null;
  const target = h("select", { name: "target" }, items.map((i) => h("option", { value: i.value },
    `${i.label} (${t(i.hidden ? "agent.moderation.hidden" : "agent.moderation.shown")})`)));
  const reason = h("input", { name: "reason", required: true, maxLength: 500 });
  const button = h("button", { type: "submit", class: "button secondary" });
  const chosen = () => items.find((i) => i.value === target.value);
  const label = () => { button.textContent = t(chosen().hidden ? "agent.moderation.show" : "agent.moderation.hide"); };
  target.addEventListener("change", label);
  label();
  const out = h("div", {});
  const form = h("form", { novalidate: true }, h("p", { class: "meta" }, t("agent.moderation.intro")),
    field(t("agent.moderation.target"), target), field(t("agent.moderation.reason"), reason), out,
    h("div", { class: "actions" }, button));
  return submitting(form, out, () => {
    if (!reason.value.trim()) {
      out.replaceChildren(errorBox({ field: "reason", message: t("error.required") }, form));
      return false;
    }
    const item = chosen();
    const body = item.value === "description" ? { description_hidden: !item.hidden }
      : { photo: item.value, photo_hidden: !item.hidden };
    return api.moderate(req.ref, { reason: reason.value.trim(), ...body });
  }, async () => { announce(t("agent.moderation.done"), { kind: "ok" }); await reload(); });
}
