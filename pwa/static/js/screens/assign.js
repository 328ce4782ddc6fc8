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

/** A select of the staff and a button; `onDone(name)` once the assignment is saved. */
export async function assignForm(ref, organisation, onDone) {
  const staff = await peopleOf(organisation);
  const id = `assign-${ref}`;
  const select = h("select", { id, name: "assignee" }, staff.map((p) => h("option", { value: p.id },
    `${p.name} (${t(`role.${p.role}`)}${p.team ? `, ${p.team}` : ""})`)));
  const out = h("div", {});
  const form = h("form", { class: "assign" }, h("label", { for: id }, t("assign.label")), select, out,
    h("button", { type: "submit", class: "button" }, t("assign.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api.postEvent(ref, { assignee: Number(select.value) });
      onDone(select.selectedOptions[0].textContent);
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}
