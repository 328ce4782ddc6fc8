// The secretary's data-protection desk: the retention rules in force and the last purge, and the rights of a person
// who asks by post or at the counter (a copy of their data, its anonymisation), each with its reason, audited.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, errorBox, field, form, h, heading } from "../ui.js";

export const wide = true;

function retentionTable(body) {
  const last = body.last_purge;
  return [h("h2", {}, t("privacy.retention")),
    h("table", { class: "queue" }, h("caption", { class: "visually-hidden" }, t("privacy.retention")),
      h("thead", {}, h("tr", {}, [t("privacy.what"), t("privacy.days"), t("privacy.setting")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, body.rules.map((r) => h("tr", {}, h("td", {}, r.what), h("td", {}, String(r.days)), h("td", {}, h("code", {}, r.setting)))))),
    h("p", { "data-js": "last-purge" }, last
      ? t("privacy.last_purge", { date: formatDate(last.at), what: Object.entries(last.counts).map(([k, v]) => `${t(`privacy.count.${k}`)} ${v}`).join(", ") })
      : t("privacy.no_purge"))];
}

function rightsForm(organisation) {
  const result = h("div", { "data-js": "person" });
  const ask = (data) => ({ organisation, email: data.email, reason: data.reason });
  const el = form([
    field(t("account.email"), h("input", { type: "email", name: "email", required: true, autocomplete: "off" })),
    field(t("privacy.reason"), h("textarea", { name: "reason", required: true, rows: 2, maxLength: 500 }), t("privacy.reason.hint")),
  ], t("privacy.find"), async (data, out) => {
    const found = await api.findPerson(organisation, data.email);
    const summary = t("privacy.found", { n: found.requests.length, account: t(found.account ? "privacy.has_account" : "privacy.no_account") });
    const save = h("button", { type: "button", class: "button secondary", onclick: async () => {
      try {
        const blob = await api.exportPerson(ask(data));
        const link = h("a", { href: URL.createObjectURL(blob), download: `guichet-${organisation}-donnees.zip` });
        link.click();
        URL.revokeObjectURL(link.href);
        out.replaceChildren(h("p", { class: "ok-box", role: "status" }, t("privacy.exported")));
      } catch (error) {
        out.replaceChildren(errorBox(error, el));
      }
    } }, t("privacy.export"));
    const erase = h("button", { type: "button", class: "button danger", onclick: async () => {
      if (!confirm(t("privacy.anonymise.confirm", { email: found.email }))) return;
      try {
        const done = await api.anonymisePerson(ask(data));
        out.replaceChildren(h("p", { class: "ok-box", role: "status" }, t("privacy.anonymised", { n: done.requests_anonymised }),
          " ", t(done.account_deleted ? "privacy.account_deleted" : done.account_kept ? "privacy.account_kept" : "privacy.no_account")));
      } catch (error) {
        out.replaceChildren(errorBox(error, el));
      }
    } }, t("privacy.anonymise"));
    result.replaceChildren(h("p", { role: "status" }, summary),
      found.requests.length ? h("ul", {}, found.requests.map((r) => h("li", {}, `${r.ref} · ${t(`status.${r.status}`)} · ${formatDate(r.created_at)}`))) : null,
      h("div", { class: "actions" }, save, erase));
  });
  return [h("h2", {}, t("privacy.rights")), h("p", {}, t("privacy.rights.intro")), el, result];
}

export async function render(view, { app }) {
  add(view, heading(t("privacy.title")));
  const organisation = (app.session.user?.roles || []).find((r) => ["secretary", "deputy", "admin"].includes(r.role))?.organisation;
  if (!organisation) return add(view, h("p", {}, t("privacy.forbidden")));
  try {
    add(view, retentionTable(await api.retentionRules()));
  } catch (error) {
    add(view, errorBox(error));
  }
  add(view, rightsForm(organisation));
}
