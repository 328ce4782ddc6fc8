// Accounts and rights of an organisation: who holds what, rights removed by their manager, people named by
// whom it belongs to (the secretary names deputies and managers, the prefect secretaries, the administrator prefects).
import * as api from "../api.js";
import { formatDate, language, t } from "../i18n.js";
import { add, announce, errorBox, errorText, field, h, heading } from "../ui.js";

export const wide = true;

function peopleTable(people, organisation, reload, grantable = [], me = null) {
  if (!people.length) return h("p", {}, t("people.none"));
  const right = (r) => h("li", {}, `${t(`role.${r.role}`)} · ${r.service_name}`, r.valid_until ? ` (→ ${formatDate(r.valid_until)})` : "", " ",
    r.can_remove ? [endDateForm(r, reload), " ", removeRight(r, reload)] : null);
  const giving = (p) => grantable.length && p.roles.includes("member") && p.id !== me
    ? h("details", { class: "give-right" }, h("summary", {}, t("people.give")), giveForm(organisation, p, grantable, reload)) : null;
  return h("table", { class: "queue people" }, h("caption", { class: "visually-hidden" }, t("people.title")),
    h("thead", {}, h("tr", {}, ["who", "roles", "rights", "login", "action"].map((c) => h("th", { scope: "col" }, t(`people.col.${c}`))))),
    h("tbody", {}, people.map((p) => h("tr", { "data-person": p.email },
      h("td", {}, p.name, h("br"), h("span", { class: "meta" }, p.email)),
      h("td", {}, p.roles.map((r) => t(`role.${r}`)).join(", "), h("p", { class: "meta" }, p.second_factor ? `✔ ${t("people.sf")}` : `⚠ ${t("people.nosf")}`)),
      h("td", {}, p.rights.length ? h("ul", { class: "plain" }, p.rights.map(right)) : "—", giving(p)),
      h("td", {}, p.last_login_at ? formatDate(p.last_login_at) : t("access.idle.never")),
      h("td", {}, p.can_end ? h("details", {}, h("summary", {}, t("access.end")), endForm(organisation, p, reload)) : "")))));
}

const dateInput = (name, value = "") => h("input", { type: "date", name, value, min: new Date(Date.now() + 864e5).toISOString().slice(0, 10) });
const endOfDay = (day) => (day ? new Date(`${day}T23:59:59`).toISOString() : null);

/** A manager gives an attached person a right on one of their services, for good or until a date. */
function giveForm(organisation, person, grantable, reload) {
  const out = h("div", {});
  const form = h("form", { novalidate: true, class: "confirm", "aria-label": `${t("people.give")} ${person.name}` },
    field(t("people.give.service"), h("select", { name: "service" }, grantable.map((s) => h("option", { value: s.code }, s.name)))),
    field(t("people.give.role"), h("select", { name: "role" }, ["agent", "field_agent", "dispatcher", "service_manager"]
      .map((r) => h("option", { value: r }, t(`role.${r}`))))),
    field(t("access.until"), dateInput("valid_until"), t("people.give.until")), out,
    h("div", { class: "actions tight" }, h("button", { type: "submit", class: "button small" }, t("people.give.do"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await api.giveGrant(organisation, person.id, { service: data.get("service"), role: data.get("role"),
        ...(data.get("valid_until") ? { valid_until: endOfDay(data.get("valid_until")) } : {}) });
      announce(t("people.given", { name: person.name }), { kind: "ok" });
      reload();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

/** "📅": moves a right's end, or removes it (the right is then for good). */
function endDateForm(right, reload) {
  const what = t("people.end_date", { role: t(`role.${right.role}`), service: right.service_name });
  const out = h("div", {});
  const form = h("form", { novalidate: true, class: "confirm", "aria-label": what },
    field(t("access.until"), dateInput("valid_until", right.valid_until ? right.valid_until.slice(0, 10) : ""), t("people.give.until")), out,
    h("div", { class: "actions tight" }, h("button", { type: "submit", class: "button small" }, t("people.end_date.save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.changeGrant(right.id, endOfDay(new FormData(form).get("valid_until")));
      announce(t("people.end_date.done"), { kind: "ok" });
      reload();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return h("details", { class: "remove-right" }, h("summary", { "aria-label": what, title: what }, "📅"), form);
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
    if (place.kind === "municipality") {
      const people = await api.accessPeople(place.organisation);
      add(body, peopleTable(people.items, place.organisation, reload, people.grantable || [], app.session.user.id));
    }
    if (place.names.length) add(body, await nameForm(place, reload));
  } catch (error) {
    add(body, errorBox(error));
  }
}
