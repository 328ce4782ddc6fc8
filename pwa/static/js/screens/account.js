// The citizen's account: sign in, create an account, confirm an address, reset a password, preferences.
import * as api from "../api.js";
import { formatDate, language, t } from "../i18n.js";
import { safePath } from "../router.js";
import { add, field, form, h, heading, isStaff } from "../ui.js";
import { dataSection } from "./account-data.js";
import { settingsSection } from "./notifications.js";

const email = () => h("input", { type: "email", name: "email", autocomplete: "email", required: true });
const password = (name, autocomplete) => h("input", { type: "password", name, autocomplete, required: true });
// After signing in: where the person was going, else their own space (staff: the staff area).
const nextPath = (query, user) => safePath(query.get("next"), isStaff(user) ? "/agent" : "/requests");

function renderLogin(view, { app, query }) {
  let needsCode = false;
  const code = h("input", { type: "text", name: "totp", inputMode: "numeric", autocomplete: "one-time-code" });
  const codeField = field(t("account.totp"), code);
  codeField.hidden = true;
  add(view, heading(t("account.login")), form([
    field(t("account.email"), email()),
    field(t("account.password"), password("password", "current-password")),
    codeField,
  ], t("account.login"), async (data) => {
    try {
      await api.login(data.email, data.password, needsCode ? data.totp : undefined);
    } catch (error) {
      if (error.code !== "second_factor_required") throw error;
      needsCode = true;
      codeField.hidden = false;
      code.focus();
      return;
    }
    await app.refreshSession();
    if (app.session.user?.language && app.session.user.language !== language()) await app.setLanguage(app.session.user.language);
    app.navigate(nextPath(query, app.session.user), { replace: true });
  }),
  h("p", {}, h("a", { href: "/account/forgot", "data-link": "" }, t("account.forgot"))),
  h("p", {}, t("account.noaccount"), " ", h("a", { href: "/account/register", "data-link": "" }, t("account.register"))));
}

function renderRegister(view, { app }) {
  add(view, heading(t("account.register")), h("p", {}, t("account.register.why")), form([
    field(t("account.name"), h("input", { type: "text", name: "name", autocomplete: "name", required: true, maxLength: app.config.max_short_text })),
    field(t("account.email"), email()),
    field(t("account.password"), password("password", "new-password"), t("account.password.hint", { min: app.config.password_min_length })),
  ], t("account.register"), async (data, out) => {
    await api.register(data.name, data.email, data.password);
    await app.refreshSession();
    view.replaceChildren(heading(t("account.registered")), h("p", { class: "ok-box" }, t("account.registered.text", { email: data.email })),
      h("div", { class: "actions" }, h("a", { href: "/account/login", class: "button", "data-link": "" }, t("account.login"))));
    view.querySelector("h1").focus();
  }));
}

function renderForgot(view) {
  add(view, heading(t("account.forgot")), h("p", {}, t("account.forgot.text")), form([field(t("account.email"), email())],
    t("account.forgot.send"), async (data, out) => {
      await api.askPasswordReset(data.email);
      out.replaceChildren(h("p", { class: "ok-box", role: "status" }, t("account.forgot.sent")));
    }));
}

function renderReset(view, { app, query }) {
  add(view, heading(t("account.reset")), form([
    field(t("account.newpassword"), password("password", "new-password"), t("account.password.hint", { min: app.config.password_min_length })),
  ], t("account.reset"), async (data, out) => {
    await api.resetPassword(query.get("token") || "", data.password);
    out.replaceChildren(h("p", { class: "ok-box", role: "status" }, t("account.reset.done"), " ",
      h("a", { href: "/account/login", "data-link": "" }, t("account.login"))));
  }));
}

async function renderConfirm(view, { app, query }, kind) {
  add(view, heading(t(`account.${kind}`)));
  try {
    await (kind === "verify" ? api.verifyEmail : api.confirmEmailChange)(query.get("token") || "");
    await app.refreshSession();
    add(view, h("p", { class: "ok-box" }, t(`account.${kind}.done`)),
      h("div", { class: "actions" }, h("a", { href: "/", class: "button", "data-link": "" }, t("missing.home"))));
  } catch (error) {
    add(view, errorBox(error));
  }
}

async function renderProfile(view, { app }) {
  const user = app.session.user;
  const lang = h("select", { name: "language" },
    h("option", { value: "fr", selected: language() === "fr" }, "Français"),
    h("option", { value: "en", selected: language() === "en" }, "English"));
  lang.addEventListener("change", async () => {
    await app.setLanguage(lang.value);
    app.navigate("/account", { replace: true });
  });
  add(view, heading(t("account.title")),
    h("dl", { class: "facts" }, h("dt", {}, t("account.name")), h("dd", {}, user.name),
      h("dt", {}, t("account.email")), h("dd", {}, user.email, " ", user.email_verified === false ? `(${t("account.unverified")})` : ""),
      h("dt", {}, t("account.previous_login")), h("dd", {}, user.previous_login_at ? formatDate(user.previous_login_at) : t("account.never")),
      h("dt", {}, t("sf.title")), h("dd", {}, h("a", { href: "/account/second-factor?next=/account", "data-link": "" },
        user.second_factor ? "✔ " : "", t(user.second_factor ? "sf.renew" : "sf.setup")))),
    user.second_factor_missing ? h("p", { class: "notice info" }, t("sf.missing")) : null,
    h("p", {}, h("a", { href: "/staff/join", "data-link": "" }, t("account.join"))),
    field(t("account.language"), lang),
    h("div", { class: "actions" }, h("a", { href: "/requests", class: "button", "data-link": "" }, t("home.mine"))));
  add(view, await settingsSection(), dataSection(app, view),
    h("div", { class: "actions signout" }, h("button", {  // last and plain: leaving is not what one comes here for
      type: "button", class: "button secondary", "data-js": "logout",
      onclick: async () => { await api.logout(); await app.refreshSession(); app.navigate("/", { replace: true }); },
    }, t("account.logout"))));
}

export function render(view, route) {
  const page = route.params[0];
  const signedIn = Boolean(route.app.session.user);
  if (page === "register") return renderRegister(view, route);
  if (page === "forgot") return renderForgot(view, route);
  if (page === "reset") return renderReset(view, route);
  if (page === "verify" || page === "confirm-email") return renderConfirm(view, route, page === "verify" ? "verify" : "confirm");
  if (page === "login" || !signedIn) return renderLogin(view, route);
  return renderProfile(view, route);
}
