// The one form of every online procedure without a place: its questions (conditional ones shown when an earlier
// answer asks them), a draft kept on the phone at each keystroke, and the outbox when the network is gone, so that
// a procedure sent offline leaves once and only once, like a report.
import { language, t } from "../i18n.js";
import * as store from "../store.js";
import { add, errorBox, field, h, heading, withCounter } from "../ui.js";
import { procedure } from "./procedure-common.js";
import { slotPicker } from "./slot-picker.js";
import { applyConditions, attributeInput, consent, flagMissing, readAttributes, sendOrQueue, showQueued, showSent } from "./report-steps.js";

// What a signed-in person's account already says, for the questions that ask it.
const FROM_ACCOUNT = { email: "email", phone: "phone", address: "postal_address" };

async function loadDraft(org, code) {
  const id = `form-${org}-${code}`;
  const draft = (await store.get("drafts", id)) || { id, answers: {}, description: "", contact_email: "", key: crypto.randomUUID() };
  draft.prefilled ??= [];
  draft.files ??= {};  // {question: File}: IndexedDB keeps a File as it is
  return draft;
}

/** The answers the account gives, put in once (a person who empties one keeps it empty). */
function prefill(draft, item, user) {
  if (!user || draft.prefilledOnce) return;
  for (const attr of item.attributes) {
    const known = user[FROM_ACCOUNT[attr.datatype]];
    if (known && draft.answers[attr.code] === undefined) {
      draft.answers[attr.code] = known;
      draft.prefilled.push(attr.code);
    }
  }
  draft.prefilledOnce = true;
}

export async function render(view, { app, params }) {
  const [org, code] = params;
  let item;
  try {
    item = await procedure(org, code);
  } catch (error) {
    return add(view, heading(t("procedures.title")), error.code === "network"
      ? h("p", { class: "info-box" }, t("procedure.form.missing")) : errorBox(error));
  }
  if (item.kind !== "form") return app.navigate(`/procedures/${encodeURIComponent(org)}/${encodeURIComponent(code)}`, { replace: true });
  const user = app.session.user;
  const draft = await loadDraft(org, code);
  prefill(draft, item, user);
  await store.put("drafts", draft);

  const description = h("textarea", { name: "description", maxLength: app.config.max_description, value: draft.description });
  const email = h("input", { type: "email", name: "contact_email", autocomplete: "email", required: true, value: draft.contact_email });
  const errors = h("div", {});
  // A procedure with agendas books a slot with the form (the draft remembers the one chosen).
  const picker = item.agendas?.length ? slotPicker(org, code, item.agendas, draft.appointment || "", async (value) => {
    draft.appointment = value;
    await store.put("drafts", draft);
  }) : null;
  const form = h("form", { novalidate: true, "data-js": "procedure-form" },
    h("p", { class: "info-box" }, item.organisation.name),
    h("p", { class: "hint" }, t("procedure.form.intro")),
    draft.prefilled.length ? h("p", { class: "hint", "data-js": "prefilled" }, t("procedure.form.prefilled")) : null,
    item.attributes.map((attr) => attributeInput(attr, attr.datatype === "file" ? draft.files[attr.code] : draft.answers[attr.code])),
    picker?.element,
    field(`${t("procedure.form.description")} ${t("common.optional")}`, description, t("procedure.form.description.hint")),
    withCounter(description, app.config.max_description),
    user ? h("p", { class: "hint" }, t("report.details.as", { name: user.name }))
      : field(t("report.details.email"), email, t("report.details.email.hint")),
    errors, consent(),
    h("div", { class: "actions split" },
      h("a", { href: `/procedures/${encodeURIComponent(org)}/${encodeURIComponent(code)}`, class: "button secondary", "data-link": "" }, t("common.back")),
      h("button", { type: "submit", class: "button", "data-js": "send" }, t("report.send"))));
  add(view, heading(item.name), form);

  const keep = async () => {
    draft.description = description.value;
    draft.contact_email = email.value;
    draft.answers = readAttributes(form, item);
    await store.put("drafts", draft);
  };
  applyConditions(form, item);
  form.addEventListener("input", () => applyConditions(form, item));  // before `keep` reads the answers
  form.addEventListener("change", () => applyConditions(form, item));
  form.addEventListener("input", keep);
  form.addEventListener("change", keep);
  // An answer given takes its "required" message away at once, not only at the next sending.
  const settle = (event) => {
    const wrapper = event.target.closest?.("[data-attr]");
    if (!wrapper || ![...wrapper.querySelectorAll("input, textarea, select")].every((el) => el.checkValidity())) return;
    wrapper.querySelectorAll(".field-error").forEach((note) => note.remove());
    wrapper.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  };
  form.addEventListener("input", settle);
  form.addEventListener("change", settle);
  form.addEventListener("change", async (event) => {
    if (event.target.dataset.file) await chooseFile(event.target, draft, app.config.max_file_bytes);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await keep();
    if (flagMissing(form, errors)) return;
    if (picker && !navigator.onLine) {  // a slot is only ever booked live: it could be gone by the time it is sent
      errors.replaceChildren(h("div", { class: "error-box", role: "alert" }, t("appointment.offline")));
      return;
    }
    await send(view, app, form, errors, { org, item, draft, picker });
  });
}

const FILE_TYPES = ["application/pdf", "image/jpeg", "image/png"];

/** A file chosen for a question: refused at once when too big or of another type (the server checks its content
 *  again), otherwise kept with the draft, and named under the input. */
async function chooseFile(input, draft, maxBytes) {
  const code = input.dataset.file;
  const file = input.files[0];
  const chosen = input.closest("[data-attr]").querySelector("[data-js=file-chosen]");
  input.setCustomValidity("");
  if (!file) return;
  let problem = null;
  if (!FILE_TYPES.includes(file.type)) problem = t("errors.unsupported_document");
  else if (maxBytes && file.size > maxBytes) problem = t("procedure.form.file.too_big", { mb: Math.floor(maxBytes / 1048576) });
  if (problem) {
    input.value = "";
    chosen.textContent = problem;
    return;
  }
  draft.files[code] = file;
  input.required = false;  // the file kept with the draft answers the question
  chosen.textContent = t("procedure.form.file.chosen", { name: file.name });
  await store.put("drafts", draft);
}

async function send(view, app, form, errors, { org, item, draft, picker }) {
  const asked = (code) => !form.querySelector(`[data-attr="${CSS.escape(code)}"]`)?.hidden;
  const files = Object.fromEntries(Object.entries(draft.files).filter(([code]) => asked(code)));
  const fields = {
    service: item.code, organisation: org, description: draft.description, attributes: draft.answers,
    contact_email: app.session.user ? "" : draft.contact_email, language: language(),
    appointment: picker ? picker.value() : undefined,
  };
  const button = form.querySelector("[data-js=send]");
  button.disabled = true;
  try {
    const created = await sendOrQueue(app, { fields, photos: [], files, key: draft.key, label: item.name });
    await store.remove("drafts", draft.id);
    if (created) showSent(view, app, created);
    else showQueued(view);
  } catch (error) {
    button.disabled = false;
    if (error.code === "slot_full" || error.code === "in_the_past" && error.field === "appointment") picker?.reload();
    // The server names the question as attributes.<code>; the page names its inputs attr:<code>.
    const named = error.field?.startsWith("attributes.") ? Object.assign(error, { field: `attr:${error.field.slice(11)}` }) : error;
    errors.replaceChildren(errorBox(named, form));
  }
}
