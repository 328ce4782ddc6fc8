// Accounts and rights of an organisation: who holds what, rights removed by their manager, people named by
// whom it belongs to (the secretary names deputies and managers, the prefect secretaries, the administrator prefects).
import * as api from "../api.js";
import { formatDate, language, t } from "../i18n.js";
import { add, announce, errorBox, errorText, field, h, heading } from "../ui.js";

export const wide = true;

function peopleTable(people, organisation, reload) {
  if (!people.length) return h("p", {}, t("people.none"));
  const right = (r) => h("li", {}, `${t(`role.${r.role}`)} · ${r.service_name}`, r.valid_until ? ` (→ ${formatDate(r.valid_until)})` : "", " ",
    r.can_remove ? removeRight(r, reload) : null);
  return h("table", { class: "queue people" }, h("caption", { class: "visually-hidden" }, t("people.title")),
    h("thead", {}, h("tr", {}, ["who", "roles", "rights", "login", "action"].map((c) => h("th", { scope: "col" }, t(`people.col.${c}`))))),
    h("tbody", {}, people.map((p) => h("tr", { "data-person": p.email },
      h("td", {}, p.name, h("br"), h("span", { class: "meta" }, p.email)),
      h("td", {}, p.roles.map((r) => t(`role.${r}`)).join(", "), h("p", { class: "meta" }, p.second_factor ? `✔ ${t("people.sf")}` : `⚠ ${t("people.nosf")}`)),
      h("td", {}, p.rights.length ? h("ul", { class: "plain" }, p.rights.map(right)) : "—"),
      h("td", {}, p.last_login_at ? formatDate(p.last_login_at) : t("access.idle.never")),
      h("td", {}, p.can_end ? h("details", {}, h("summary", {}, t("access.end")), endForm(organisation, p, reload)) : "")))));
}

/** "✖" opens a confirmation that asks why (kept in the audit trail) before a right is removed. */
function removeRight(right, reload) {
  const what = t("people.remove", { role: t(`role.${right.role}`), service: right.service_name });
  const out = h("div", {});
  const reason = h("input", { type: "text", name: "reason", required: true, maxLength: 2000 });
  const form = h("form", { novalidate: true, class: "confirm", "aria-label": what },
    h("p", {}, t("people.remove.confirm", { role: t(`role.${right.role}`), service: right.service_name })),
    field(t("people.remove.reason"), reason), out,
    h("div", { class: "actions tight" }, h("button", { type: "submit", class: "button danger small" }, t("people.remove.do")),
      h("button", { type: "button", class: "button secondary small", onclick: () => { box.open = false; } }, t("common.cancel"))));
  const box = h("details", { class: "remove-right" }, h("summary", { "aria-label": what, title: what }, "✖"), form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    if (!reason.value.trim()) return out.replaceChildren(errorBox({ field: "reason", message: t("error.required") }, form));
    try {
      await api.removeGrant(right.id, reason.value.trim());
      announce(t("people.removed"), { kind: "ok" });
      reload();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return box;
}

/** Ends a person's attachment to the municipality, with the reason (every role and right there ends). */
export function endForm(organisation, person, reload) {
  const out = h("div", {});
  const form = h("form", { novalidate: true, "aria-label": `${t("access.end")} ${person.name}` },
    field(t("access.end.reason"), h("input", { type: "text", name: "reason", required: true, maxLength: 2000 })), out,
    h("button", { type: "submit", class: "button secondary" }, t("access.end")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.endMembership(organisation, person.id, new FormData(form).get("reason").trim());
      announce(t("access.ended", { name: person.name }), { kind: "ok" });
      reload();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

async function nameForm(place, reload) {
  const out = h("div", {});
  const role = h("select", { name: "role" }, place.names.map((r) => h("option", { value: r }, t(`role.${r}`))));
  const services = place.kind === "municipality" && place.names.includes("service_manager")
    ? (await api.catalogueOf(place.organisation)).items : [];
  const boxes = h("fieldset", { hidden: role.value !== "service_manager" }, h("legend", {}, t("people.name.services")),
    services.map((s) => h("div", { class: "check" }, h("input", { type: "checkbox", name: "services", value: s.code, id: `mgr-${s.code}` }),
      h("label", { for: `mgr-${s.code}` }, s.name))));
  role.addEventListener("change", () => { boxes.hidden = role.value !== "service_manager"; });
  const form = h("form", { novalidate: true, "aria-labelledby": "name-title" }, h("h2", { id: "name-title" }, t("people.name")),
    field(t("people.name.email"), h("input", { type: "email", name: "email", required: true, maxLength: 254 }), t("people.name.hint")),
    field(t("people.name.role"), role), boxes, out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("people.name.send"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    const data = new FormData(form);
    const chosen = data.get("role") === "service_manager" ? data.getAll("services") : [];
    try {
      await api.nameStaff(place.organisation, { email: data.get("email").trim(), role: data.get("role"), ...(chosen.length ? { services: chosen } : {}) });
      announce(t("people.named", { email: data.get("email").trim() }), { kind: "ok" });
      reload();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

export async function render(view, { app, query }) {
  add(view, heading(t("people.title")));
  if (!app.session.user) return add(view, h("p", {}, h("a", { href: "/account/login?next=/agent/people", "data-link": "" }, t("account.login"))));
  const { powers } = await api.accessSummary();
  if (!powers.length) return add(view, h("p", {}, t("people.nothing")));
  const place = powers.find((p) => p.organisation === query.get("organisation")) || powers[0];
  const where = h("select", { name: "organisation" }, powers.map((p) => h("option", { value: p.organisation, selected: p === place },
    language() === "en" ? p.name_en : p.name_fr)));
  where.addEventListener("change", () => app.navigate(`/agent/people?organisation=${encodeURIComponent(where.value)}`));
  const body = h("div", {});
  add(view, h("div", { class: "no-print" }, field(t("people.where"), where),
    h("p", {}, h("a", { href: "/agent/access", "data-link": "" }, `← ${t("access.title")}`))), body);
  const reload = () => app.navigate(`/agent/people?organisation=${encodeURIComponent(place.organisation)}`, { replace: true });
  try {
    if (place.kind === "municipality") add(body, peopleTable((await api.accessPeople(place.organisation)).items, place.organisation, reload));
    if (place.names.length) add(body, await nameForm(place, reload));
  } catch (error) {
    add(body, errorBox(error));
  }
}
