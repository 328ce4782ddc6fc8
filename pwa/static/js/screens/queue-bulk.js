// Acting on several requests of the queue at once: a checkbox a row, and a bar that says what happened to each.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { errorBox, errorText, field, h } from "../ui.js";
import { PRIORITIES } from "./queue-filters.js";

const BULK_STATUSES = ["acknowledged", "in_progress", "resolved", "rejected", "closed"];

export function bulkBar({ selected, assigner, people, onDone }) {
  const count = h("span", { "aria-live": "polite" });
  const out = h("div", {});
  const opt = (v, label) => h("option", { value: v }, label);
  const status = h("select", { name: "status" }, opt("", t("agent.bulk.keep")), BULK_STATUSES.map((s) => opt(s, t(`status.${s}`))));
  const comment = h("textarea", { name: "comment", rows: 2, maxLength: 2000 });
  const priority = h("select", { name: "priority" }, opt("", t("agent.bulk.keep")), PRIORITIES.map(([v, n]) => opt(v, t(`priority.${n}`))));
  const assignee = assigner ? h("select", { name: "assignee" }, opt("", t("agent.bulk.keep")),
    people.map((p) => opt(p.id, `${p.name} (${t(`role.${p.role}`)}${p.team ? `, ${p.team}` : ""})`))) : null;
  status.addEventListener("change", () => { if (status.value && !comment.value.trim()) comment.value = t(`agent.template.${status.value}`); });
  const form = h("form", { class: "bulk no-print", "aria-labelledby": "bulk-title" },
    h("h2", { id: "bulk-title" }, t("agent.bulk.title"), " ", count),
    h("div", { class: "filters" }, field(t("agent.bulk.status"), status), field(t("agent.filter.priority"), priority),
      assignee ? field(t("assign.label"), assignee) : null),
    field(t("agent.message.label"), comment, t("agent.bulk.hint")),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agent.bulk.apply"))), out);
  const refresh = () => {  // shown while something is selected, or while it says what it did
    count.textContent = t("agent.bulk.count", { n: selected.size });
    form.hidden = !selected.size && !out.childElementCount;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!selected.size) return out.replaceChildren(errorBox({ message: t("agent.bulk.none") }));
    const change = { refs: [...selected] };
    if (status.value) change.status = status.value;
    if (comment.value.trim()) change.comment = comment.value.trim();
    if (priority.value) change.priority = Number(priority.value);
    if (assignee?.value) change.assignee = Number(assignee.value);
    try {
      const { items } = await api.staffBulk(change);
      const refused = items.filter((i) => !i.ok);
      const summary = t("agent.bulk.done", { ok: items.length - refused.length, ko: refused.length });
      // The result stays in view until its reader closes it: what was refused, and why, needs reading.
      const result = h("div", { class: refused.length ? "error-box" : "ok-box", role: "status", tabindex: "-1", "data-js": "bulk-result" },
        h("p", {}, summary),
        refused.length ? h("ul", {}, refused.map((i) => h("li", {}, h("strong", {}, i.ref), " : ", errorText(i.error)))) : null,
        h("button", { type: "button", class: "button secondary", onclick: () => { out.replaceChildren(); refresh(); } }, t("common.close")));
      out.replaceChildren(result);
      for (const input of [status, comment, priority, assignee]) if (input) input.value = "";  // done: nothing to re-apply
      await onDone(items);
      result.scrollIntoView({ block: "nearest" });
      result.focus();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  refresh();
  return { form, refresh };
}
