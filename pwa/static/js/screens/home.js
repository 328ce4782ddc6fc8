// Home: the three things people come for, and what is waiting to be sent.
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { add, h, heading } from "../ui.js";

let installPrompt = null;
addEventListener("beforeinstallprompt", (event) => {
  event.preventDefault();
  installPrompt = event;
});

const choice = (href, emoji, label, primary = false) =>
  h("a", { href, class: `big-choice${primary ? " primary" : ""}`, "data-link": "" },
    h("span", { class: "emoji", "aria-hidden": "true" }, emoji), label);

export async function render(view, { app }) {
  const user = app.session.user;
  add(view, 
    heading(user ? t("home.hello", { name: user.name }) : t("home.title")),
    h("p", {}, t("home.intro")),
    h("div", { class: "big-choices" },
      choice("/report", "📍", t("home.report"), true),
      choice("/report?kind=lost", "🔎", t("home.lost")),
      choice("/report?kind=found", "🤲", t("home.found")),
      choice("/procedures", "📝", t("home.procedures")),
      choice("/found", "🧳", t("home.found_list")),
      choice("/requests", "☰", t("home.mine")),
      choice("/map", "🗺️", t("home.map")),
      (user?.roles || []).some((r) => !["citizen", "prefect"].includes(r.role)) ? choice((user.roles.every((r) => r.role === "field_agent") ? "/agent/field" : "/agent"), "🗂️", t("agent.title")) : null,
      // The prefect validates secretaries; every staff member (or one whose rights wait for the second factor) has requests there.
      (user?.roles || []).some((r) => r.role !== "citizen") || user?.second_factor_missing ? choice("/agent/access", "🪪", t("access.title")) : null),
  );
  const waiting = await outbox.items();
  if (waiting.length) {
    add(view, h("p", { class: "info-box" }, t("home.waiting", { count: waiting.length }), " ",
      h("a", { href: "/requests", "data-link": "" }, t("home.see"))));
  }
  if (installPrompt) {
    const button = h("button", {
      type: "button", class: "button secondary",
      onclick: async () => { installPrompt.prompt(); await installPrompt.userChoice; installPrompt = null; button.remove(); },
    }, t("home.install"));
    add(view, h("div", { class: "actions" }, button));
  }
  add(view, h("p", { class: "meta" }, t("home.emergency")));
}
