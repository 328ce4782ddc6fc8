// The account's own data: contact details that pre-fill requests, the e-mail address and the password, a copy of
// everything, and deleting the account (GDPR articles 15 to 20, in the person's hands).
import * as api from "../api.js";
import { t } from "../i18n.js";
import { add, field, form, h } from "../ui.js";

const done = (out, text) => out.replaceChildren(h("p", { class: "ok-box", role: "status" }, text));
const secret = (name, autocomplete) => h("input", { type: "password", name, autocomplete, required: true });

function contactForm(app) {
  const user = app.session.user;
  const max = app.config.max_short_text;
  return form([
    field(t("account.name"), h("input", { type: "text", name: "name", autocomplete: "name", required: true, maxLength: max, value: user.name })),
    field(t("account.phone"), h("input", { type: "tel", name: "phone", autocomplete: "tel", maxLength: 40, value: user.phone || "" }), t("account.optional")),
    field(t("account.postal_address"), h("textarea", { name: "postal_address", autocomplete: "street-address", rows: 2, maxLength: 300 }, user.postal_address || ""), t("account.optional")),
  ], t("account.contact.save"), async (data, out) => {
    await api.updateMe(data);
    await app.refreshSession();
    done(out, t("account.contact.saved"));
  });
}

const emailForm = () => form([
  field(t("account.newemail"), h("input", { type: "email", name: "new_email", autocomplete: "email", required: true })),
  field(t("account.password"), secret("password", "current-password"), t("account.email.password")),
], t("account.email.change"), async (data, out) => {
  await api.changeEmail(data.new_email, data.password);
  done(out, t("account.email.sent", { email: data.new_email }));
});

const passwordForm = (app) => form([
  field(t("account.currentpassword"), secret("current_password", "current-password")),
  field(t("account.newpassword"), secret("new_password", "new-password"), t("account.password.hint", { min: app.config.password_min_length })),
], t("account.password.change"), async (data, out) => {
  await api.changePassword(data.current_password, data.new_password);
  done(out, t("account.password.changed"));
});

function eraseForm(app, view) {
  return form([
    h("p", {}, t("account.erase.what")),
    field(t("account.password"), secret("password", "current-password"), t("account.erase.password")),
  ], t("account.erase.confirm"), async (data) => {
    await api.deleteAccount(data.password);
    await app.refreshSession();
    view.replaceChildren(h("h1", { tabindex: "-1" }, t("account.erased")), h("p", { class: "ok-box" }, t("account.erased.text")),
      h("div", { class: "actions" }, h("a", { href: "/", class: "button", "data-link": "" }, t("missing.home"))));
    view.querySelector("h1").focus();
  });
}

/** Folded sections under the profile: each is one thing a person comes to do, none in the way of the others. */
export function dataSection(app, view) {
  const fold = (title, ...body) => add(h("details", { class: "fold" }, h("summary", {}, title)), ...body);
  const erase = eraseForm(app, view);
  erase.querySelector("button[type=submit]").classList.add("danger");
  return h("section", { class: "my-data", "aria-labelledby": "my-data-title" },
    h("h2", { id: "my-data-title" }, t("account.data")),
    fold(t("account.contact"), h("p", { class: "hint" }, t("account.contact.why")), contactForm(app)),
    fold(t("account.email.title"), emailForm()),
    fold(t("account.password.title"), passwordForm(app)),
    fold(t("account.export"), h("p", {}, t("account.export.what")),
      h("p", {}, h("a", { href: api.exportUrl, download: "", class: "button secondary", "data-js": "export" }, t("account.export.get")))),
    fold(t("account.erase"), erase),
    h("p", {}, h("a", { href: "/privacy", "data-link": "" }, t("account.privacy"))));
}
