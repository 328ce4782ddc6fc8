// One request: its status, photos, place and timeline, and what its author (or a neighbour) can do about it.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import * as maps from "../map.js";
import * as outbox from "../outbox.js";
import { downscale } from "../photos.js";
import { add, answersList, errorBox, field, h, heading, OPEN, statusBadge, timeline } from "../ui.js";
import { appointmentBox } from "./appointment-box.js";

async function load(route) {
  if (location.pathname.startsWith("/track/")) {
    const token = route.params[0];
    const req = await api.track(token);
    await outbox.remember(req);
    return { req, token };
  }
  const ref = route.params[0];
  const known = (await outbox.remembered()).find((r) => r.ref === ref);
  return { req: await api.getRequest(ref, known?.token), token: known?.token || null };
}

function textForm({ label, button, name, max, onSubmit, required = true }) {
  const area = h("textarea", { name, maxLength: max, required });
  const out = h("div", {});
  const form = h("form", { novalidate: true }, field(label, area), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, button)));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    if (required && !area.value.trim()) return out.replaceChildren(errorBox({ field: name, message: t("error.required") }, form));
    try {
      await onSubmit(area.value.trim());
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

function actions(req, token, app, reload) {
  const box = h("section", { "aria-labelledby": "actions-title" }, h("h2", { id: "actions-title" }, t("request.actions")));
  const isAuthor = req.is_author || Boolean(token);
  const open = OPEN.includes(req.status);
  const feedback = h("div", { role: "status", "aria-live": "polite" });
  box.append(feedback);
  const run = async (work) => {
    try {
      await work();
      await reload(t("request.done"));
    } catch (error) {
      feedback.replaceChildren(errorBox(error));
    }
  };
  if (isAuthor && req.status === "submitted") {
    box.append(h("div", { class: "actions" }, h("button", {
      type: "button", class: "button danger",
      onclick: () => confirm(t("request.withdraw.confirm")) && run(() => api.withdraw(req.ref, token)),
    }, t("request.withdraw"))));
  }
  const reopenable = req.resolved_at && Date.now() - new Date(req.resolved_at) < app.config.reopen_days * 86400000;
  if (isAuthor && req.status === "resolved" && !reopenable) {  // the server would refuse: say what to do instead
    box.append(h("p", { class: "info-box" }, t("request.reopen.over", { days: app.config.reopen_days }), " ",
      h("a", { href: "/report", "data-link": "" }, t("home.report"))));
  }
  if (isAuthor && req.status === "resolved" && reopenable) {
    box.append(textForm({ label: t("request.reopen.label"), button: t("request.reopen"), name: "comment", max: app.config.max_comment,
      onSubmit: (text) => api.reopen(req.ref, text, token).then(() => reload(t("request.done"))) }));
  }
  if (isAuthor && open) {
    box.append(textForm({ label: t("request.comment.label"), button: t("request.comment"), name: "comment", max: app.config.max_comment,
      onSubmit: (text) => api.comment(req.ref, text, token).then(() => reload(t("request.done"))) }));
    const input = h("input", { type: "file", accept: "image/*", multiple: true, onchange: (e) => run(async () => {
      const blobs = await Promise.all([...e.target.files].map((f) => downscale(f, app.config.photo_side)));
      await api.addPhotos(req.ref, blobs, token);
    }) });
    box.append(h("div", { class: "actions" }, h("label", { class: "button secondary file-button" }, `📷 ${t("request.photo")}`, input)));
  }
  if (!isAuthor && open && req.is_supporter) {
    box.append(h("p", { class: "info-box" }, `✓ ${t("request.following")}`));
  } else if (!isAuthor && open) {
    box.append(h("p", {}, t("request.metoo.why")), app.session.user
      ? h("div", { class: "actions" }, h("button", { type: "button", class: "button", onclick: () => run(() => api.support(req.ref)) }, t("report.nearby.metoo")))
      : h("p", {}, h("a", { href: `/account/login?next=${encodeURIComponent(location.pathname)}`, "data-link": "" }, t("account.login"))));
  }
  return box.childElementCount > 2 ? box : null;
}

export async function render(view, route) {
  const { app } = route;
  let loaded;
  try {
    loaded = await load(route);
  } catch (error) {
    add(view, heading(t("request.title")), errorBox(error));
    return;
  }
  const { req, token } = loaded;
  const reload = async (message) => {
    await app.navigate(location.pathname, { replace: true, state: { keepFocus: true } });
    if (message) document.querySelector("[data-js=view]").prepend(h("p", { class: "ok-box", role: "status" }, message));
  };
  const mapEl = h("div", { class: "map small" });
  add(view, 
    heading(req.service.name),
    h("p", {}, statusBadge(req.status), " ", h("span", { class: "ref" }, req.ref)),
    req.service.kind === "lost" || req.service.kind === "found" ? h("p", { class: "info-box" },
      h("a", { href: `/lost/${encodeURIComponent(req.ref)}`, "data-link": "" },
        t(req.service.kind === "lost" ? "lost.see_candidates" : "lost.see_object"))) : null,
    h("dl", { class: "facts" },
      h("dt", {}, t("request.created")), h("dd", {}, formatDate(req.created_at)),
      h("dt", {}, t("request.updated")), h("dd", {}, formatDate(req.updated_at)),
      req.address ? [h("dt", {}, t("request.address")), h("dd", {}, req.address)] : null,
      req.supporters ? [h("dt", {}, t("request.supporters")), h("dd", {}, String(req.supporters))] : null,
      req.duplicate_of ? [h("dt", {}, t("request.duplicate_of")), h("dd", {}, h("a", { href: `/requests/${req.duplicate_of}`, "data-link": "" }, req.duplicate_of))] : null),
    req.description ? h("p", { class: "text" }, req.description) : null,
    answersList(req.answers, token),
    appointmentBox(req, token, reload),
    req.description_hidden ? h("p", { class: "meta" }, `🚫 ${t(req.description ? "request.hidden.mine" : "request.hidden.public")}`) : null,
    req.photos.length ? h("div", { class: "photos" }, req.photos.map((p, i) => h("a", { href: p.url, target: "_blank", rel: "noopener" },
      h("img", { src: p.thumbnail_url, alt: t("request.photo.alt", { n: i + 1 }), loading: "lazy" })))) : null,
    mapEl,
    actions(req, token, app, reload),
    h("h2", {}, t("request.timeline")),
    req.events ? timeline(req.events) : null,
    token ? h("p", {}, h("a", { href: api.trackExportUrl(token), download: "", "data-js": "export" }, t("request.export"))) : null,
  );
  let map = null;
  if (req.lat !== null) {
    map = await maps.createMap(mapEl, { center: [req.lat, req.lon], zoom: 17, config: app.config });
    maps.showPoint(map, req.lat, req.lon, req.status);
  } else {
    mapEl.remove();
  }
  return () => map && maps.removeMap(map);
}
