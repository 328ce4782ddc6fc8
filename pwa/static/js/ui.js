// Small DOM helpers shared by the screens: building elements, statuses, errors, announcements.
import { formatDate, has, language, t } from "./i18n.js";

/** h("p", {class: "x"}, "text", child): an element; attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name in el && !name.includes("-") && name !== "list" && name !== "form") el[name] = value;
    else el.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const STATUS = {
  submitted: ["open", "✉"], acknowledged: ["open", "👁"], in_progress: ["open", "🛠"], resolved: ["done", "✔"],
  rejected: ["closed", "✖"], duplicate: ["closed", "🔗"], closed: ["closed", "■"], withdrawn: ["closed", "↩"],
  waiting: ["waiting", "⏳"], failed: ["closed", "⚠"],
};
export const OPEN = ["submitted", "acknowledged", "in_progress"];

/** Whether this person works for a municipality (any role but a citizen's). */
export const isStaff = (user) => (user?.roles || []).some((r) => r.role !== "citizen");

// The live map is for the office (a field agent works from "Mes interventions"); a person holding only an
// attachment ("member") may hold rights on single services, which the server knows: the map is offered.
const OFFICE = ["agent", "dispatcher", "service_manager", "secretary", "admin"];
export const watchesLive = (user) => (user?.roles || []).some((r) => OFFICE.includes(r.role))
  || (user?.roles || []).every((r) => ["member", "citizen"].includes(r.role));

/** The map pin of a status: open "!", resolved "✓", otherwise grey with the status's own symbol (never a green
 *  "resolved" for a request that was rejected or withdrawn). */
export function pinOf(status) {
  const [kind, icon] = STATUS[status] || ["closed", "■"];
  if (kind === "open") return { kind: "open", symbol: "!" };
  return kind === "done" ? { kind: "done", symbol: "✓" } : { kind: "closed", symbol: icon };
}

/** A status as text and icon, never by colour alone. */
export function statusBadge(status) {
  const [kind, icon] = STATUS[status] || ["closed", "•"];
  return h("span", { class: `status ${kind}` }, h("span", { "aria-hidden": "true" }, icon), t(`status.${status}`));
}

const ICONS = {
  pothole: "🕳️", light: "💡", spray: "🎨", trash: "🗑️", broom: "🧹", bench: "🪑", tree: "🌳", sign: "🚸",
  drop: "💧", paw: "🐾", car: "🚗", alert: "⚠️", search: "🔎", hand: "🤲",
  mail: "✉️", truck: "🚚", phone: "📞", school: "🏫", people: "🤝", id: "🛂", bike: "🚲", party: "🎪", house: "🏠",
};
export const serviceIcon = (code) => h("span", { class: "emoji", "aria-hidden": "true" }, ICONS[code] || "📍");

/** A request's answers to its category's questions, in words: question, then answer; a file as its link (with
 *  the tracking token of an author without an account). */
export function answersList(answers, token = null) {
  if (!answers?.length) return null;
  const answer = (a) => {
    if (a.url) return h("a", { href: token ? `${a.url}?token=${encodeURIComponent(token)}` : a.url, download: a.answer, "data-js": "file" }, `📎 ${a.answer}`);
    return a.datatype === "datetime" ? formatDate(a.answer) : String(a.answer);
  };
  return h("dl", { class: "facts answers" }, answers.map((a) => [h("dt", {}, a.question), h("dd", {}, answer(a))]));
}

/** A counter of characters under a text field with a limit, announced politely as the limit comes near. */
export function withCounter(input, max) {
  const counter = h("p", { class: "hint counter", "aria-live": "polite", id: `${input.id || input.name}-count` });
  const draw = () => {
    const left = max - input.value.length;
    counter.textContent = t("common.chars", { count: input.value.length, max });
    counter.classList.toggle("near", left < max / 10);
  };
  input.addEventListener("input", draw);
  draw();
  return counter;
}

/** Says something to screen readers (and shows it) in the shell's live region. */
export function announce(message, { kind = "info", action = null, id = null } = {}) {
  const notices = document.querySelector("[data-js=notices]");
  if (id) notices.querySelector(`[data-notice="${id}"]`)?.remove();
  const notice = h("div", { class: `notice ${kind}`, "data-notice": id || undefined }, h("p", {}, message), action);
  notices.append(notice);
  if (!action) setTimeout(() => notice.remove(), 8000);
  return notice;
}

export function clearNotice(id) {
  document.querySelector(`[data-notice="${id}"]`)?.remove();
}

/** Marks the field `name` of `form` invalid with `message` beside it; the element to focus, or null.
 *  A group of radios or checkboxes gets its message after its legend, never inside an option's label (where it
 *  would become part of that option's name); the message joins the field's hint in aria-describedby. */
export function fieldError(form, name, message) {
  const inputs = [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)];
  if (!inputs.length) return null;
  const group = ["radio", "checkbox"].includes(inputs[0].type) ? inputs[0].closest("fieldset") : null;
  const id = `${(group ? group.dataset.attr || name : inputs[0].id || name).replace(/[^\w-]/g, "_")}-error`;
  form.querySelector(`#${CSS.escape(id)}`)?.remove();
  const note = h("p", { class: "field-error", id }, message);
  if (group) group.querySelector("legend").after(note);
  else inputs[0].after(note);
  for (const input of inputs) {
    input.setAttribute("aria-invalid", "true");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((d) => d && !d.endsWith("-error"));
    input.setAttribute("aria-describedby", [...described, id].join(" "));
  }
  return inputs[0];
}

/** What went wrong, in the app's language: the text of the error's code with its numbers (a part in parentheses
 *  naming a number the error did not carry is left out); the server's own message only for a code we do not know. */
export function errorText(error) {
  if (!error) return t("error.generic");
  if (error.code === "network") return t("error.network");
  if (!has(`errors.${error.code}`)) return error.message || t("error.generic");
  return t(`errors.${error.code}`, error.params || {}).replace(/\s*\([^()]*\{\w+\}[^()]*\)/g, "");
}

/** An error box with role=alert. An error about a field is said once, next to that field; the box then only
 *  points to it (and is announced), so that the message is not shown twice. */
export function errorBox(error, form = null) {
  const message = errorText(error);
  const input = form && error.field ? fieldError(form, error.field, message) : null;
  if (input) input.focus();
  return h("div", { class: "error-box", role: "alert" }, input ? t("error.see_field") : message);
}

let fieldCount = 0;

/** A labelled form field; `input` gets an id, unique in the page, tied to the label and the hint. */
export function field(label, input, hint = "") {
  input.id ||= `f-${input.name.replace(/[^\w-]/g, "_") || "field"}-${++fieldCount}`;
  const hintEl = hint ? h("p", { class: "hint", id: `${input.id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: input.id }, label), hintEl, input);
}

/** A small form whose inputs are checked in the page first; `onSubmit(values, out)` may throw an API error,
 *  shown next to its field. */
export function form(fields, submitLabel, onSubmit) {
  const out = h("div", {});
  const el = h("form", { novalidate: true }, fields, out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, submitLabel)));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    el.querySelectorAll(".field-error").forEach((e) => e.remove());
    el.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    const missing = [...el.querySelectorAll("input, textarea")].find((i) => !i.checkValidity());
    if (missing) return out.replaceChildren(errorBox({ field: missing.name, message: missing.type === "email" && missing.value ? t("error.email") : t("error.required") }, el));
    try {
      await onSubmit(Object.fromEntries(new FormData(el)), out);
    } catch (error) {
      out.replaceChildren(errorBox(error, el));
    }
  });
  return el;
}

/** Appends the children that exist (a condition that is false or null adds nothing, not the word "null"). */
export function add(parent, ...children) {
  parent.append(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false && c !== ""));
  return parent;
}

export function heading(text) {
  return h("h1", { tabindex: "-1" }, text);
}

/** A request's history, oldest first; internal notes (staff only ever receive them) are marked apart. */
export function timeline(events) {
  return h("ol", { class: "timeline" }, events.map((e) => h("li", { class: e.public ? "" : "internal" },
    h("p", {}, h("strong", {}, e.kind === "status" ? t("event.status", { status: t(`status.${e.status}`) })
      : e.kind === "assigned" && e.data?.assignee ? t("event.assigned_to", { name: e.data.assignee })
        : e.kind === "moved" && e.data?.to ? t("event.moved_to", movedTo(e.data.to))
          : e.kind === "appointment" && e.data?.action ? t(`event.appointment.${e.data.action}`, { when: slotText(e.data.start) })
            : t(`event.${e.kind}`)),
      e.public ? "" : ` · 🔒 ${t("agent.internal")}`, e.actor ? ` · ${e.actor}` : ""),
    h("p", { class: "meta" }, h("time", { datetime: e.at }, formatDate(e.at))),
    e.comment ? h("p", { class: "text" }, e.comment) : null,
    e.kind === "updated" && e.data ? h("ul", { class: "meta" }, Object.entries(e.data).map(([name, [from, to]]) =>
      h("li", {}, `${t(`agent.handling.${name === "due_at" ? "due" : name}`)} : ${changed(name, from)} → ${changed(name, to)}`))) : null)));
}

/** Now on the phone's own clock, as "YYYY-MM-DDTHH:MM" (a date input's and a slot's form): `localNow().slice(0, 10)`
 *  is today. */
export const localNow = () => new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);

/** "10.12.2026 09:00" for a slot's local "2026-12-10T09:00" (already the municipality's wall-clock time). */
export const slotText = (start) => (start ? `${start.slice(8, 10)}.${start.slice(5, 7)}.${start.slice(0, 4)} ${start.slice(11, 16)}` : "");

const movedTo = (to) => (language() === "en" ? { service: to.service_en, organisation: to.organisation_en }
  : { service: to.service, organisation: to.organisation });

const PRIORITY_NAMES = { "-1": "low", 0: "normal", 1: "high", 2: "urgent" };
function changed(name, value) {
  if (value === null || value === "") return "—";
  if (name === "priority") return t(`priority.${PRIORITY_NAMES[value]}`);
  return name === "due_at" ? formatDate(value) : value;
}
