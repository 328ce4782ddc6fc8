// The one form of every online procedure without a place: its questions (conditional ones shown when an earlier
// answer asks them), a draft kept on the phone at each keystroke, and the outbox when the network is gone, so that
// a procedure sent offline leaves once and only once, like a report.
import { language, t } from "../i18n.js";
import * as store from "../store.js";
import { add, errorBox, field, h, heading, withCounter } from "../ui.js";
import { procedure } from "./procedure-common.js";
import { applyConditions, attributeInput, consent, flagMissing, readAttributes, sendOrQueue, showQueued, showSent } from "./report-steps.js";

// What a signed-in person's account already says, for the questions that ask it.
const FROM_ACCOUNT = { email: "email", phone: "phone", address: "postal_address" };

async function loadDraft(org, code) {
  const id = `form-${org}-${code}`;
  const draft = (await store.get("drafts", id)) || { id, answers: {}, description: "", contact_email: "", key: crypto.randomUUID() };
  draft.prefilled ??= [];
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
  const form = h("form", { novalidate: true, "data-js": "procedure-form" },
    h("p", { class: "info-box" }, item.organisation.name),
    h("p", { class: "hint" }, t("procedure.form.intro")),
    draft.prefilled.length ? h("p", { class: "hint", "data-js": "prefilled" }, t("procedure.form.prefilled")) : null,
    item.attributes.map((attr) => attributeInput(attr, draft.answers[attr.code])),
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
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await keep();
    if (flagMissing(form, errors)) return;
    await send(view, app, form, errors, { org, item, draft });
  });
}

async function send(view, app, form, errors, { org, item, draft }) {
  const fields = {
    service: item.code, organisation: org, description: draft.description, attributes: draft.answers,
    contact_email: app.session.user ? "" : draft.contact_email, language: language(),
  };
  const button = form.querySelector("[data-js=send]");
  button.disabled = true;
  try {
    const created = await sendOrQueue(app, { fields, photos: [], key: draft.key, label: item.name });
    await store.remove("drafts", draft.id);
    if (created) showSent(view, app, created);
    else showQueued(view);
  } catch (error) {
    button.disabled = false;
    // The server names the question as attributes.<code>; the page names its inputs attr:<code>.
    const named = error.field?.startsWith("attributes.") ? Object.assign(error, { field: `attr:${error.field.slice(11)}` }) : error;
    errors.replaceChildren(errorBox(named, form));
  }
}
