// Two-step sign-in for staff accounts: scan the key, confirm a code, keep the recovery codes.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { safePath } from "../router.js";
import { add, errorBox, field, h, heading } from "../ui.js";

function recoveryCodes(view, codes, next) {
  view.replaceChildren(heading(t("sf.codes")), h("p", {}, t("sf.codes.intro")),
    h("ol", { class: "recovery-codes", "data-js": "recovery-codes" }, codes.map((c) => h("li", {}, h("code", {}, c)))),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "button secondary no-print", onclick: () => print() }, t("access.print")),
      h("a", { class: "button", href: next, "data-link": "" }, t("sf.done"))));
  view.querySelector("h1").focus();
}

export async function render(view, { app, query }) {
  add(view, heading(t("sf.title")));
  if (!app.session.user) return add(view, h("p", {}, h("a", { href: "/account/login?next=/account/second-factor", "data-link": "" }, t("account.login"))));
  const next = safePath(query.get("next"), "/agent");
  const state = await api.secondFactorState();
  if (state.enrolled) {
    const out = h("div", {});
    return add(view, h("p", { class: "ok-box" }, t("sf.enrolled", { left: state.recovery_codes_left })), out,
      h("div", { class: "actions" }, h("button", {
        type: "button", class: "button secondary",
        onclick: async () => {
          try {
            recoveryCodes(view, (await api.renewRecoveryCodes()).recovery_codes, "/account");
          } catch (error) {
            out.replaceChildren(errorBox(error));
          }
        },
      }, t("sf.renew"))));
  }
  const enrolment = await api.secondFactorEnrolment();
  const code = h("input", { type: "text", name: "code", inputMode: "numeric", autocomplete: "one-time-code", required: true, maxLength: 8 });
  const out = h("div", {});
  const form = h("form", { novalidate: true }, field(t("sf.code"), code), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("sf.confirm"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    try {
      const done = await api.confirmSecondFactor(enrolment, code.value.trim());
      await app.refreshSession();
      recoveryCodes(view, done.recovery_codes, next);
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  add(view, h("p", {}, t("sf.intro")), h("p", {}, t("sf.scan")),
    h("img", { class: "qr", src: enrolment.qr, alt: t("sf.qr"), width: 200, height: 200 }),
    h("p", {}, t("sf.secret"), " ", h("code", { "data-js": "totp-secret" }, enrolment.secret.match(/.{1,4}/g).join(" "))),
    form);
}
