// The account's own data: contact details that pre-fill requests, the e-mail address and the password, a copy of
// everything, and deleting the account (GDPR articles 15 to 20, in the person's hands).
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, errorBox, field, form, h } from "../ui.js";

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

const megabytes = (bytes) => (bytes / 1e6).toLocaleString(undefined, { maximumFractionDigits: 1 });

/** "All my data": prepared at once when small, else by the server's worker with its progress shown here (and a
 *  message in the inbox and by e-mail when it is ready, should the person leave). */
function exportBox() {
  const state = h("div", { role: "status", "data-js": "export" });
  const show = (job) => {
    if (!job || job.status === "failed") return state.replaceChildren();
    if (job.status === "ready") {
      return state.replaceChildren(h("p", {}, h("a", { href: job.download_url, download: "", class: "button secondary" },
        t("account.export.get", { size: megabytes(job.size) }))), h("p", { class: "hint" }, t("account.export.kept", { date: formatDate(job.expires_at) })));
    }
    state.replaceChildren(h("p", {}, t("account.export.building", { progress: job.progress })),
      h("progress", { max: 100, value: job.progress, "aria-label": t("account.export") }));
    setTimeout(async () => { if (state.isConnected) show(await api.getExport(job.id).catch(() => job)); }, 2000);
  };
  const start = h("button", { type: "button", class: "button secondary", onclick: async () => {
    try {
      show(await api.startExport());
    } catch (error) {
      state.replaceChildren(errorBox(error));
    }
  } }, t("account.export.start"));
  api.myExports().then((list) => show(list.items[0])).catch(() => {});
  return h("div", {}, h("div", { class: "actions" }, start), state);
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
    fold(t("account.export"), h("p", {}, t("account.export.what")), exportBox()),
    fold(t("account.erase"), erase),
    h("p", {}, h("a", { href: "/privacy", "data-link": "" }, t("account.privacy"))));
}
