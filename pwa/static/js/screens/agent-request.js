// A request as staff see it: the citizen's contact, the whole timeline with internal notes apart, status and notes.
import * as api from "../api.js";
import { formatDate, language, t } from "../i18n.js";
import * as maps from "../map.js";
import { add, answersList, errorBox, field, h, heading, OPEN, statusBadge, timeline } from "../ui.js";
import { handlingForm, mergeForm, moderationForm, moveForm, splitForm } from "./agent-request-forms.js";
import { assignForm, canAssign } from "./assign.js";
import { PRIORITIES } from "./queue-filters.js";

function eventForm(req, app, reload, { internal }) {
  // Only the moves the status table allows from here (the server says which), never the current status.
  const moves = req.next_statuses || [];
  const status = internal || !moves.length ? null : h("select", { name: "status" }, h("option", { value: "" }, t("agent.status.keep")),
    moves.map((s) => h("option", { value: s }, t(`status.${s}`))));
  const comment = h("textarea", { name: "comment", maxLength: app.config.max_comment });
  let template = "";
  status?.addEventListener("change", () => {
    // The message follows the status while it is still the template (a refusal never goes out with the thanks);
    // once the agent writes their own words, they stay.
    if (comment.value.trim() && comment.value !== template) return;
    template = status.value ? t(`agent.template.${status.value}`) : "";
    comment.value = template;
  });
  const out = h("div", {});
  const form = h("form", { novalidate: true },
    status ? field(t("agent.status.new"), status) : null,
    field(internal ? t("agent.note.label") : t("agent.message.label"), comment, internal ? t("agent.note.hint") : t("agent.message.hint")),
    out, h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, internal ? t("agent.note.save") : t("agent.message.send"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { comment: comment.value.trim(), public: !internal };
    if (status?.value) body.status = status.value;
    if (!body.status && !body.comment) return out.replaceChildren(errorBox({ field: "comment", message: t("error.required") }, form));
    try {
      await api.postEvent(req.ref, body);
      await reload();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

export const wide = true;

/** A request of another town or team: said plainly, with its public page; no staff form the server would refuse. */
function notYours(view, req, app) {
  const town = app.config?.names?.[req.organisation]?.[language()] || req.organisation;
  add(view, h("p", {}, h("a", { href: "/agent", "data-link": "" }, `← ${t("agent.back")}`)),
    heading(t("agent.notyours.title")),
    h("div", { class: "info-box" }, h("p", {}, t("agent.notyours.text", { ref: req.ref, town })),
      h("p", {}, t("agent.notyours.why"))),
    h("div", { class: "actions" }, h("a", { href: `/requests/${encodeURIComponent(req.ref)}`, class: "button secondary", "data-link": "" },
      t("agent.notyours.public"))));
}

export async function render(view, route) {
  const { app } = route;
  const ref = route.params[0];
  let req;
  try {
    req = await api.getRequest(ref);
  } catch (error) {
    add(view, heading(ref), errorBox(error));
    return;
  }
  if (req.relation !== "staff") return notYours(view, req, app);
  const reload = () => app.navigate(location.pathname, { replace: true, state: { keepFocus: true } });
  const contact = req.contact || {};
  const assign = canAssign(app.session.user, req.organisation) && OPEN.includes(req.status)
    ? await assignForm(req.ref, req.organisation, reload, { current: req.assignee?.id ?? null, me: app.session.user.id })
      .catch(() => null) : null;
  const mapEl = h("div", { class: "map small" });
  const open = OPEN.includes(req.status);
  const assigner = canAssign(app.session.user, req.organisation);
  const office = (app.session.user?.roles || []).some((r) => r.organisation === req.organisation && !["citizen", "prefect", "field_agent"].includes(r.role));
  const catalogue = office && open ? (await api.catalogueOf(req.organisation).catch(() => ({ items: [] }))).items : [];
  const moderation = office && req.public ? moderationForm(req, { reload }) : null;
  const priority = (PRIORITIES.find(([v]) => Number(v) === req.priority) || ["0", "normal"])[1];
  add(view, 
    h("p", {}, h("a", { href: "/agent", "data-link": "" }, `← ${t("agent.back")}`)),
    heading(`${req.ref} · ${req.service.name}`),
    h("p", {}, statusBadge(req.status), req.public ? "" : ` 🔒 ${t("agent.private")}`),
    h("dl", { class: "facts" },
      h("dt", {}, t("request.created")), h("dd", {}, formatDate(req.created_at), ` · ${t(`agent.channel.${req.channel}`)}`),
      h("dt", {}, t("agent.due")), h("dd", {}, req.due_at ? formatDate(req.due_at) : "—",
        req.due_at && open && new Date(req.due_at) < new Date() ? h("strong", { class: "overdue" }, ` ⚠ ${t("agent.overdue")}`) : ""),
      h("dt", {}, t("agent.handling.priority")), h("dd", {}, t(`priority.${priority}`)),
      h("dt", {}, t("agent.contact")), h("dd", {}, [contact.name, contact.email, contact.phone].filter(Boolean).join(" · ") || "—"),
      h("dt", {}, t("agent.col.assignee")), h("dd", {}, req.assignee?.name || req.team || "—"),
      req.address ? [h("dt", {}, t("request.address")), h("dd", {}, req.address)] : null,
      req.supporters ? [h("dt", {}, t("request.supporters")), h("dd", {}, String(req.supporters))] : null,
      req.duplicate_of ? [h("dt", {}, t("request.duplicate_of")), h("dd", {}, h("a", {
        href: `/agent/requests/${encodeURIComponent(req.duplicate_of)}`, "data-link": "" }, req.duplicate_of))] : null),
    req.description ? h("p", { class: "text" }, req.description,
      req.description_hidden ? [" ", h("span", { class: "flag" }, `🚫 ${t("agent.moderation.badge")}`)] : "") : null,
    answersList(req.answers),
    req.photos.length ? h("div", { class: "photos" }, req.photos.map((p, i) => h("a", { href: p.url, target: "_blank", rel: "noopener" },
      h("img", { src: p.thumbnail_url, alt: t("request.photo.alt", { n: i + 1 }) + (p.hidden ? ` (${t("agent.moderation.hidden")})` : ""), loading: "lazy" }),
      p.hidden ? h("span", { class: "flag" }, `🚫 ${t("agent.moderation.badge")}`) : null))) : null,
    mapEl,
    h("h2", {}, t("agent.message.title")), eventForm(req, app, reload, { internal: false }),
    assign ? [h("h2", {}, t("assign.title")), assign] : null,
    office && open ? [h("h2", {}, t("agent.handling.title")), handlingForm(req, { assigner, reload })] : null,
    office && open ? [h("h2", {}, t("agent.merge.title")), await mergeForm(req, { reload })] : null,
    office && open && req.service.kind === "incident" ? [h("h2", {}, t("agent.split.title")), splitForm(req, catalogue, { app })] : null,
    office && open ? [h("h2", {}, t("agent.move.title")), await moveForm(req, catalogue, { app, assigner, reload })] : null,
    h("h2", {}, t("agent.note.title")), eventForm(req, app, reload, { internal: true }),
    moderation ? [h("h2", {}, t("agent.moderation.title")), moderation] : null,
    h("h2", {}, t("request.timeline")), timeline(req.events || []),
  );
  if (req.lat === null) return mapEl.remove();
  const map = await maps.createMap(mapEl, { center: [req.lat, req.lon], zoom: 17, config: app.config });
  maps.showPoint(map, req.lat, req.lon, req.status);
  return () => maps.removeMap(map);
}
