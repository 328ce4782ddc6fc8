// Assigning a request to a member of staff: on the request's page and in the dispatch map's popups.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { errorBox, h } from "../ui.js";

const ASSIGNERS = ["dispatcher", "service_manager", "admin", "secretary"];
const people = new Map();

export const canAssign = (user, organisation) =>
  (user?.roles || []).some((r) => r.organisation === organisation && ASSIGNERS.includes(r.role));

export function peopleOf(organisation) {
  if (!people.has(organisation)) people.set(organisation, api.staffPeople(organisation).then((b) => b.items));
  return people.get(organisation);
}

/** A select of the staff, starting on the person who has it now (or on nobody: one click never reassigns), a
 *  button, and "take it myself" for a member of staff; `onDone(name)` once the assignment is saved. */
export async function assignForm(ref, organisation, onDone, { current = null, me = null } = {}) {
  const staff = await peopleOf(organisation);
  const id = `assign-${ref}`;
  const select = h("select", { id, name: "assignee", required: true },
    current ? null : h("option", { value: "" }, t("assign.choose")),
    staff.map((p) => h("option", { value: p.id, selected: p.id === current },
      `${p.name} (${t(`role.${p.role}`)}${p.team ? `, ${p.team}` : ""})`)));
  const out = h("div", {});
  const give = async (person, name) => {
    try {
      await api.postEvent(ref, { assignee: person });
      onDone(name);
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  };
  const mine = me && me !== current && staff.some((p) => p.id === me)
    ? h("button", { type: "button", class: "button secondary", onclick: () => give(me, staff.find((p) => p.id === me).name) },
      t("assign.me")) : null;
  const form = h("form", { class: "assign" }, h("label", { for: id }, t("assign.label")), select, out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("assign.save")), mine));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!select.value) return out.replaceChildren(errorBox({ field: "assignee", message: t("error.required") }, form));
    if (Number(select.value) === current) return out.replaceChildren(errorBox({ message: t("assign.same") }));
    return give(Number(select.value), select.selectedOptions[0].textContent);
  });
  return form;
}
