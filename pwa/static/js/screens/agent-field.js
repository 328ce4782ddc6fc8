// The field agent's phone: my work sorted by distance, the way there, start, resolve with an "after" photo, hand back.
import * as api from "../api.js";
import * as outbox from "../outbox.js";
import { formatDate, t } from "../i18n.js";
import { downscale, metresBetween } from "../photos.js";
import { add, errorBox, field, h, heading, statusBadge } from "../ui.js";
import { staffRoles } from "./agent-queue.js";

const CACHE = "guichet.field";

function here() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition((p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude }),
      () => resolve(null), { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  });
}

/** Sends the change now, or keeps it on the phone when there is no network (sent on its return). */
async function change(item, steps, { photo = null, label, done, sent }) {
  try {
    if (photo) await api.addPhotos(item.ref, [photo], null, "after");
    for (const [i, step] of steps.entries()) {
      try {
        await api.postEvent(item.ref, step);
      } catch (error) {
        if (error.code !== "network") throw error;
        await outbox.enqueueChange({ ref: item.ref, steps: steps.slice(i), label });
        return done(t("field.queued"));
      }
    }
    return done(sent);
  } catch (error) {
    if (error.code !== "network") throw error;
    await outbox.enqueueChange({ ref: item.ref, steps, photo, label });
    return done(t("field.queued"));
  }
}

function resolveForm(item, app, done) {
  const photo = h("input", { type: "file", name: "photo", accept: "image/*", capture: "environment" });
  const comment = h("textarea", { name: "comment", maxLength: app.config.max_comment, required: true },
    t("agent.template.resolved"));
  const out = h("div", {});
  const form = h("form", { novalidate: true }, field(t("field.after"), photo, t("field.after.hint")),
    field(t("agent.message.label"), comment), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, `✔ ${t("field.resolve")}`)));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const after = photo.files.length ? await downscale(photo.files[0], app.config.photo_side) : null;
      await change(item, [{ status: "resolved", comment: comment.value.trim() }], {
        photo: after, label: `${item.ref} · ${t("status.resolved")}`, done, sent: t("field.resolved", { ref: item.ref }) });
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

function handBackForm(item, app, done) {
  const reason = h("textarea", { name: "comment", maxLength: app.config.max_comment, required: true });
  const out = h("div", {});
  const form = h("form", { novalidate: true }, field(t("field.handback.reason"), reason), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button secondary" }, t("field.handback"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!reason.value.trim()) return out.replaceChildren(errorBox({ field: "comment", message: t("error.required") }, form));
    try {
      await change(item, [{ hand_back: true, comment: reason.value.trim() }], {
        label: `${item.ref} · ${t("field.handback")}`, done, sent: t("field.handedback", { ref: item.ref }) });
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

/** Directions to the job in the phone's own maps: Apple Maps on an iPhone or iPad, the maps app an Android
 *  phone chooses (geo:), OpenStreetMap's directions in a desktop browser. */
export function routeTo(item, agent = navigator.userAgent) {
  const at = `${item.lat},${item.lon}`;
  if (/iPhone|iPad|iPod|Macintosh.*Mobile/.test(agent)) return `https://maps.apple.com/?daddr=${at}&dirflg=d`;
  if (/Android/.test(agent)) return `geo:${at}?q=${at}(${encodeURIComponent(item.ref)})`;
  return `https://www.openstreetmap.org/directions?to=${encodeURIComponent(at)}#map=18/${item.lat}/${item.lon}`;
}

function card(item, app, done) {
  const panel = h("div", {});
  const start = async () => {
    try {
      const take = item.assignee ? {} : { assignee: app.session.user.id };  // a team's job: I take it
      const steps = [...(item.status === "submitted" ? [{ status: "acknowledged", ...take }] : []),
        { status: "in_progress", comment: t("agent.template.in_progress"), ...(item.status === "submitted" ? {} : take) }];
      await change(item, steps, { label: `${item.ref} · ${t("status.in_progress")}`, done, sent: t("field.started", { ref: item.ref }) });
    } catch (error) {
      panel.replaceChildren(errorBox(error));
    }
  };
  return h("li", { class: "card", "data-ref": item.ref }, h("div", { class: "body" },
    h("a", { class: "title", href: `/agent/requests/${encodeURIComponent(item.ref)}`, "data-link": "" }, `${item.ref} · ${item.service.name}`),
    h("p", {}, statusBadge(item.status), item.distance !== null ? ` · ${t("report.nearby.distance", { m: Math.round(item.distance) })}` : "",
      item.overdue ? h("strong", { class: "overdue" }, ` ⚠ ${t("agent.overdue")}`) : "",
      item.pending ? h("span", {}, " · ", statusBadge("waiting")) : ""),
    item.assignee ? null : h("p", {}, h("span", { class: "status waiting" }, "👥 ", t("field.team", { team: item.team }))),
    h("p", {}, item.address || item.description || ""),
    h("div", { class: "actions" },
      item.lat !== null ? h("a", { class: "button secondary", href: routeTo(item), target: "_blank", rel: "noopener" }, `🧭 ${t("field.route")}`) : null,
      item.pending ? h("p", { class: "meta" }, t("field.pending")) : [  // one change at a time: the queued one first
        item.status !== "in_progress" ? h("button", { type: "button", class: "button", onclick: start }, `▶ ${t("field.start")}`) : null,
        h("button", { type: "button", class: "button", onclick: () => panel.replaceChildren(resolveForm(item, app, done)) }, `✔ ${t("field.resolve")}`),
        h("button", { type: "button", class: "button link", onclick: () => panel.replaceChildren(handBackForm(item, app, done)) }, t("field.handback"))]),
    panel));
}

export async function render(view, { app }) {
  add(view, heading(t("field.title")));
  if (!staffRoles(app.session.user).length) return add(view, h("p", {}, t("agent.forbidden")));
  const status = h("div", { role: "status", "aria-live": "polite" });
  const list = h("ul", { class: "cards" });
  add(view, status, list);
  const done = (message) => {
    const kind = message === t("field.queued") ? "info-box" : "ok-box";
    app.navigate("/agent/field", { replace: true, state: { keepFocus: true } })
      .then(() => document.querySelector("[data-js=view] [role=status]")?.replaceChildren(h("p", { class: kind }, message)));
  };
  let items;
  try {
    items = (await api.staffRequests({ status: "open", assignee: "team", limit: 200 })).items;
    localStorage.setItem(CACHE, JSON.stringify({ at: new Date().toISOString(), items }));
  } catch (error) {
    const cached = JSON.parse(localStorage.getItem(CACHE) || "null");
    if (error.code !== "network" || !cached) return status.replaceChildren(errorBox(error));
    items = cached.items;  // in a basement, a tunnel, the countryside: the list as it was, changes kept for later
    list.before(h("p", { class: "info-box" }, t("field.offline_list", { date: formatDate(cached.at) })));
  }
  const pending = new Set((await outbox.items()).filter((i) => i.kind === "change").map((i) => i.ref));
  for (const item of items) item.pending = pending.has(item.ref);
  const position = await here();
  for (const item of items) item.distance = position && item.lat !== null ? metresBetween(position, item) : null;
  items.sort((a, b) => (a.distance ?? Infinity) - (b.distance ?? Infinity));
  if (!items.length) status.replaceChildren(h("p", {}, t("field.none")));
  list.replaceChildren(...items.map((item) => card(item, app, done)));
}
