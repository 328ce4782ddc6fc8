// The last steps of a report: photos, details, then sending (or queueing when the network is gone).
import * as api from "../api.js";
import { language, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { downscale, gpsOf, metresBetween } from "../photos.js";
import { add, errorBox, field, fieldError, h, heading, localNow, withCounter } from "../ui.js";
import { offerBox } from "./notifications.js";
import * as place from "./report-place.js";

const FIELD_STEP = { lat: "where", lon: "where", service: "what", photo: "photos" };
// Refusals that come from the place (outside every town, or a town without this category): "Corriger" goes back
// to the map, where moving the pin checks the place again, and not to the categories of the same place (a loop).
const PLACE_ERRORS = ["outside_area", "unknown_service"];

export async function renderPhotos(view, flow) {
  const { app, draft, save } = flow;
  const max = app.config.max_photos;
  const list = h("ul", { class: "thumbs", "aria-label": t("report.photos.chosen") });
  const status = h("div", { role: "status", "aria-live": "polite" });
  const problems = h("div", { "data-js": "photo-problems" });
  const urls = [];
  const redraw = () => {
    urls.splice(0).forEach((u) => URL.revokeObjectURL(u));
    list.replaceChildren(...draft.photos.map((photo, i) => {
      const url = URL.createObjectURL(photo.blob);
      urls.push(url);
      return h("li", {}, h("img", { src: url, alt: t("report.photos.alt", { n: i + 1 }) }),
        h("button", {
          type: "button", class: "button secondary",
          "aria-label": t("report.photos.remove.label", { n: i + 1 }),
          onclick: async () => { draft.photos.splice(i, 1); await save(); redraw(); status.replaceChildren(t("report.photos.removed")); },
        }, t("report.photos.remove")));
    }));
    for (const input of pickers.querySelectorAll("input")) input.disabled = draft.photos.length >= max;
    counter.textContent = t("report.photos.count", { count: draft.photos.length, max });
  };
  const addPhotos = async (files) => {
    problems.replaceChildren();
    const room = max - draft.photos.length;
    if (files.length > room) status.replaceChildren(h("p", { class: "error-box", role: "alert" }, t("report.photos.toomany", { max })));
    for (const file of [...files].slice(0, Math.max(room, 0))) {
      status.replaceChildren(t("report.photos.preparing"));
      let gps, blob;
      try {
        [gps, blob] = await Promise.all([gpsOf(file).catch(() => null), downscale(file, app.config.photo_side)]);
      } catch (problem) {  // said, naming the file; the other files chosen with it go on
        problems.append(errorBox(problem));
        continue;
      }
      if (blob.size > app.config.max_photo_bytes) {
        status.replaceChildren(h("p", { class: "error-box", role: "alert" }, t("report.photos.toobig")));
        continue;
      }
      draft.photos.push({ blob, gps });
      status.replaceChildren(t("report.photos.added"));
      if (gps && metresBetween(gps, { lat: draft.lat, lon: draft.lon }) > 30) offerPhotoPlace(gps);
    }
    await save();
    redraw();
  };
  // The pin moves to the photo's place only once that place is checked as the "where" step checks it: the town
  // that serves it, whether it offers the category chosen, and what is already reported there.
  const movePin = async (gps) => {
    status.replaceChildren(t("report.where.checking"));
    let catalogue = null;
    try {
      catalogue = await place.check(gps.lat, gps.lon, flow.kind);
    } catch (error) {
      if (error.code !== "network") {
        return status.replaceChildren(h("div", { class: "error-box", role: "alert" }, t("report.photos.outside")));
      }
    }
    draft.lat = gps.lat;
    draft.lon = gps.lon;
    if (!catalogue) {
      await save();
      return status.replaceChildren(h("p", { class: "info-box" }, t("report.photos.moved"), " ", t("report.where.unchecked")));
    }
    const town = catalogue.organisation.slug !== draft.organisation?.slug ? t("report.where.inside", { name: catalogue.organisation.name }) : "";
    draft.organisation = catalogue.organisation;
    draft.catalogue = catalogue;
    const same = catalogue.items.find((s) => s.code === draft.service?.code);
    if (!same) {
      const name = draft.service?.name || "";
      draft.service = null;
      await save();
      return status.replaceChildren(h("div", { class: "info-box", role: "alert" }, h("p", {}, town, " ", t("report.photos.otherservice", { name })),
        h("button", { type: "button", class: "button", onclick: () => flow.go("what") }, t("report.photos.choose"))));
    }
    draft.service = same;
    const near = flow.kind === "incident"
      ? await api.nearby(gps.lat.toFixed(6), gps.lon.toFixed(6), same.code).then((b) => b.items).catch(() => []) : [];
    await save();
    status.replaceChildren(h("div", { class: "ok-box" }, h("p", {}, t("report.photos.moved"), " ", town),
      near.length ? h("p", {}, t("report.photos.nearby", { count: near.length }), " ",
        h("button", { type: "button", class: "button secondary", onclick: () => flow.go("nearby") }, t("report.photos.seenearby"))) : null));
  };
  const offerPhotoPlace = (gps) => {
    const yes = h("button", { type: "button", class: "button secondary", onclick: () => movePin(gps) }, t("report.photos.usegps"));
    status.replaceChildren(h("div", { class: "info-box" }, h("p", {}, t("report.photos.elsewhere")), yes));
  };
  const picker = (label, attrs) => h("label", { class: "button secondary file-button" }, label,
    h("input", { type: "file", accept: "image/*", ...attrs, onchange: (e) => addPhotos(e.target.files).then(() => { e.target.value = ""; }) }));
  const counter = h("p", { class: "hint" });
  const pickers = h("div", { class: "actions" },
    picker(`📷 ${t("report.photos.camera")}`, { capture: "environment", "data-js": "camera" }),
    picker(`🖼️ ${t("report.photos.gallery")}`, { multiple: true, "data-js": "gallery" }));
  add(view, draft.nearbySkipped ? h("p", { class: "info-box" }, t("report.nearby.skipped")) : null,
    h("p", {}, t(`report.photos.intro.${flow.kind}`)), pickers, counter, problems, status, list,
    h("div", { class: "actions split" },
      h("button", { type: "button", class: "button secondary", onclick: flow.back }, t("common.back")),
      h("button", { type: "button", class: "button", onclick: () => flow.go("details") }, t("common.next"))));
  redraw();
  return () => urls.forEach((u) => URL.revokeObjectURL(u));
}

const INPUT_TYPES = { number: "number", datetime: "datetime-local", date: "date", email: "email", phone: "tel" };

export function attributeInput(attr, value) {
  const name = `attr:${attr.code}`;
  const optional = t("common.optional");  // said once, even where the catalogue's text already says it
  const label = attr.required || attr.description.endsWith(optional) ? attr.description : `${attr.description} ${optional}`;
  const help = attr.help ? h("p", { class: "hint" }, attr.help) : null;
  if (["singlevaluelist", "multivaluelist", "boolean"].includes(attr.datatype)) {
    const multi = attr.datatype === "multivaluelist";
    const choices = attr.datatype === "boolean" ? [{ key: "true", name: t("common.yes") }, { key: "false", name: t("common.no") }] : attr.values;
    const chosen = (key) => (multi ? (value || []).includes(key) : String(value) === key);
    return h("fieldset", { "data-attr": attr.code, "data-required": multi && attr.required ? "" : undefined }, h("legend", {}, label), help, choices.map((v) => h("label", { class: "choice" },
      h("input", { type: multi ? "checkbox" : "radio", name, value: v.key, required: attr.required && !multi, checked: chosen(v.key) }), v.name)));
  }
  if (attr.datatype === "file") return fileInput(attr, label, value);
  const input = ["text", "address"].includes(attr.datatype)
    ? h("textarea", { name, required: attr.required, value: value ?? "", rows: attr.datatype === "address" ? 2 : undefined })
    : h("input", { name, required: attr.required, value: value ?? "", type: INPUT_TYPES[attr.datatype] || "text",
      autocomplete: "off", min: attr.future && attr.datatype === "date" ? localNow().slice(0, 10) : undefined });
  const wrapper = field(label, input, attr.help || "");
  wrapper.dataset.attr = attr.code;
  return wrapper;
}

/** A question answered by a file: PDF, JPEG or PNG; the file chosen stays with the draft (`value`, a File), and
 *  the page says which one it is, since a file input cannot show it again. */
function fileInput(attr, label, value) {
  const input = h("input", { type: "file", name: `attr:${attr.code}`, accept: "application/pdf,image/jpeg,image/png",
    required: attr.required && !value, "data-file": attr.code });
  const chosen = h("p", { class: "hint", "data-js": "file-chosen", "aria-live": "polite" },
    value ? t("procedure.form.file.chosen", { name: value.name }) : "");
  const wrapper = field(label, input, [attr.help, t("procedure.form.file.types")].filter(Boolean).join(" "));
  wrapper.append(chosen);
  wrapper.dataset.attr = attr.code;
  return wrapper;
}

/** Whether a question is asked, given the answers before it (the server's rule, catalogue.asked). */
export function isAsked(attr, answers) {
  const condition = attr.condition;
  if (!condition) return true;
  const answer = answers[condition.code];
  const wanted = "equals" in condition ? [condition.equals] : condition.in;
  const given = Array.isArray(answer) ? answer : [answer];
  return wanted.some((w) => given.some((g) => g !== undefined && String(w) === String(g)));
}

/** Shows the questions their conditions ask and hides (and disables) the others, in the questions' order. */
export function applyConditions(form, service) {
  const answers = {};
  for (const attr of service.attributes) {
    const wrapper = form.querySelector(`[data-attr="${CSS.escape(attr.code)}"]`);
    const shown = isAsked(attr, answers);
    if (wrapper) {
      wrapper.hidden = !shown;
      wrapper.querySelectorAll("input, textarea").forEach((el) => { el.disabled = !shown; });
    }
    if (shown) Object.assign(answers, readAttributes(form, { attributes: [attr] }));
  }
}

export function readAttributes(form, service) {
  const out = {};
  for (const attr of service.attributes) {
    const name = `attr:${attr.code}`;
    if (form.querySelector(`[data-attr="${CSS.escape(attr.code)}"]`)?.hidden) continue;  // not asked
    if (attr.datatype === "multivaluelist") out[attr.code] = [...form.querySelectorAll(`[name="${name}"]:checked`)].map((i) => i.value);
    else if (attr.datatype === "singlevaluelist") out[attr.code] = form.querySelector(`[name="${name}"]:checked`)?.value;
    else if (attr.datatype === "boolean") {
      const picked = form.querySelector(`[name="${name}"]:checked`)?.value;
      out[attr.code] = picked === undefined ? undefined : picked === "true";
    } else if (attr.datatype === "file") {
      continue;  // a file goes as itself beside the answers (its own part), not as an answer's text
    } else {
      const raw = form.querySelector(`[name="${CSS.escape(name)}"]`)?.value ?? "";  // a form, or a part of one
      if (attr.datatype === "number") out[attr.code] = raw === "" ? undefined : Number(raw);
      else if (attr.datatype === "datetime") out[attr.code] = raw ? new Date(raw).toISOString() : undefined;
      else out[attr.code] = raw.trim() || undefined;
    }
    if (out[attr.code] === undefined || (Array.isArray(out[attr.code]) && !out[attr.code].length)) delete out[attr.code];
  }
  return out;
}

/** The files chosen in the form for the questions asked: {code: File}. */
export function readFiles(form, service) {
  const out = {};
  for (const attr of service.attributes.filter((a) => a.datatype === "file")) {
    const wrapper = form.querySelector(`[data-attr="${CSS.escape(attr.code)}"]`);
    const file = wrapper && !wrapper.hidden ? wrapper.querySelector("input[type=file]")?.files[0] : null;
    if (file) out[attr.code] = file;
  }
  return out;
}

/** Before sending: the terms and the privacy notice, opened beside the report (its draft stays as it is). */
export function consent() {
  const link = (kind) => h("a", { href: `/pages/${kind}`, target: "_blank", rel: "noopener" }, t(`report.consent.${kind}`));
  const parts = t("report.consent", { terms: "\u0000terms\u0000", privacy: "\u0000privacy\u0000" }).split("\u0000");
  return h("p", { class: "consent", "data-js": "consent" }, parts.map((part, i) => (i % 2 ? link(part) : part)));
}

export async function renderDetails(view, flow) {
  const { app, draft, save } = flow;
  const signedIn = Boolean(app.session.user);
  const description = h("textarea", { name: "description", maxLength: app.config.max_description, value: draft.description,
    required: flow.kind !== "incident" });
  const email = h("input", { type: "email", name: "contact_email", autocomplete: "email", required: true, value: draft.contact_email });
  const errors = h("div", {});
  const form = h("form", { novalidate: true },
    h("p", { class: "info-box" }, h("strong", {}, draft.service.name), draft.organisation ? ` · ${draft.organisation.name}` : ""),
    field(t(`report.details.description.${flow.kind}`), description, t("report.details.description.hint")),
    withCounter(description, app.config.max_description),
    draft.service.attributes.map((attr) => attributeInput(attr, draft.attributes[attr.code])),
    signedIn ? h("p", { class: "hint" }, t("report.details.as", { name: app.session.user.name }))
      : field(t("report.details.email"), email, t("report.details.email.hint")),
    errors, consent(),
    h("div", { class: "actions split" },
      h("button", { type: "button", class: "button secondary", onclick: flow.back }, t("common.back")),
      h("button", { type: "submit", class: "button", "data-js": "send" }, t("report.send"))));
  const keep = async () => {
    draft.description = description.value;
    draft.contact_email = email.value;
    draft.attributes = readAttributes(form, draft.service);
    await save();
  };
  applyConditions(form, draft.service);
  form.addEventListener("input", () => applyConditions(form, draft.service));  // before `keep` reads the answers
  form.addEventListener("input", keep);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await keep();
    if (flagMissing(form, errors)) return;
    await send(view, flow);
  });
  add(view, form);
}

/** Every field the page can tell is wrong, flagged at once, each with its message beside it, and the first one
 *  focused; true when there was one. */
export function flagMissing(form, errors) {
  errors.replaceChildren();
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  const message = (el) => (el.validity.valueMissing ? t("error.required")
    : el.validity.rangeUnderflow && el.type === "date" ? t("errors.in_the_past")
      : el.type === "email" ? t("error.email") : t("error.format"));
  const missing = new Map([...form.querySelectorAll("input, textarea, select")].filter((el) => !el.checkValidity())
    .map((el) => [el.name, message(el)]));
  for (const group of form.querySelectorAll("fieldset[data-required]:not([hidden])")) {  // at least one box ticked
    const boxes = group.querySelectorAll("input[type=checkbox]");
    if (boxes.length && ![...boxes].some((box) => box.checked)) missing.set(boxes[0].name, t("error.required"));
  }
  if (!missing.size) return false;
  const first = [...missing].map(([name, text]) => fieldError(form, name, text))[0];
  errors.replaceChildren(h("div", { class: "error-box", role: "alert" }, t("error.fields", { count: missing.size })));
  first?.focus();
  return true;
}

/** Sends a new request now, or, without network (or with the server down), keeps it in the outbox, which sends
 *  it later under the same key, so that it is made once; the request made, or null when it waits. Any other
 *  refusal is thrown, for the page to say. */
export async function sendOrQueue(app, { fields, photos, files = {}, key, label }, onProgress) {
  try {
    if (!navigator.onLine) throw new api.NetworkError();
    const created = await api.createRequest(fields, photos, key, onProgress, files);
    await outbox.remember(created, label);
    return created;
  } catch (error) {
    if (error.code !== "network" && !(error.status >= 500)) throw error;
    await outbox.enqueue({ fields, photos, files, key, label });
    app.requestBackgroundSync();
    return null;
  }
}

async function send(view, flow) {
  const { app, draft } = flow;
  const fields = {
    service: draft.service.code, lat: draft.lat.toFixed(6), lon: draft.lon.toFixed(6), description: draft.description,
    attributes: draft.attributes, contact_email: app.session.user ? "" : draft.contact_email, language: language(),
  };
  const photos = draft.photos.map((p) => p.blob);
  const label = draft.service.name;
  const bar = h("progress", { class: "progress", max: 100, value: 0, "aria-label": t("report.sending") });
  const live = h("p", { role: "status", "aria-live": "polite" }, t("report.sending"));
  view.replaceChildren(heading(t("report.sending.title")), live, bar);
  view.querySelector("h1").focus();
  try {
    const created = await sendOrQueue(app, { fields, photos, key: draft.key, label }, (share) => {
      bar.value = Math.round(share * 100);
    });
    await flow.reset();
    if (created) showSent(view, app, created);
    else showQueued(view);
  } catch (error) {
    view.replaceChildren(heading(t("report.failed.title")), errorBox(error),
      h("div", { class: "actions" }, h("button", {
        type: "button", class: "button", onclick: () => flow.go(PLACE_ERRORS.includes(error.code) ? "where" : FIELD_STEP[error.field] || "details", true),
      }, t("report.failed.fix"))));
    view.querySelector("h1").focus();
  }
}

export function showSent(view, app, created) {
  const tracking = created.tracking_token ? `/track/${encodeURIComponent(created.tracking_token)}` : `/requests/${encodeURIComponent(created.ref)}`;
  view.replaceChildren();  // add() leaves out the parts that are absent (replaceChildren would write "null")
  add(view, heading(t("report.sent.title")),
    h("div", { class: "ok-box" }, h("p", {}, t("report.sent.ref"), " ", h("span", { class: "ref", "data-js": "ref" }, created.ref))),
    h("h2", {}, t("report.sent.next")),
    h("ol", {}, h("li", {}, t("report.sent.next1")), h("li", {}, t("report.sent.next2")), h("li", {}, t("report.sent.next3"))),
    created.tracking_token ? h("p", { class: "info-box" }, t("report.sent.anonymous")) : null,
    offerBox(created.tracking_token || null),
    h("div", { class: "actions" }, h("a", { href: tracking, class: "button", "data-link": "" }, t("report.sent.follow")),
      h("a", { href: "/", class: "button secondary", "data-link": "" }, t("missing.home"))));
  view.querySelector("h1").focus();
}

export function showQueued(view) {
  view.replaceChildren(heading(t("report.queued.title")),
    h("div", { class: "info-box", "data-js": "queued" }, h("p", {}, "⏳ ", t("report.queued.text"))),
    h("div", { class: "actions" }, h("a", { href: "/requests", class: "button", "data-link": "" }, t("home.mine"))));
  view.querySelector("h1").focus();
}
