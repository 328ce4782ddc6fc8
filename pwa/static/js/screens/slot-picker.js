// Choosing an appointment: the days that still have a free slot, then the times of the day chosen, as radio
// buttons (a keyboard and a screen reader use them as they are). Where a procedure has several agendas (two
// counters), a time is offered once, at the first counter with a place left; the confirmation says which.
import * as api from "../api.js";
import { language, t } from "../i18n.js";
import { h, localNow } from "../ui.js";

const DAYS_SHOWN = 14;

/** "jeudi 10 décembre" for a YYYY-MM-DD, in the page's language. */
export function dayName(day) {
  return new Date(`${day}T12:00:00`).toLocaleDateString(language() === "en" ? "en-GB" : "fr-CH", { weekday: "long", day: "numeric", month: "long" });
}

/** Merges the agendas' slots: per day, each time once, with the first agenda that has a place. */
function byDay(slots) {
  const days = new Map();
  for (const slot of slots) {
    const times = days.get(slot.start.slice(0, 10)) || new Map();
    if (!times.has(slot.start)) times.set(slot.start, slot);
    days.set(slot.start.slice(0, 10), times);
  }
  return days;
}

/** The picker: an element and `value()`, `<agenda>@<start>` or "" (nothing chosen). `chosen` restores a draft's
 *  choice when it is still free. */
export function slotPicker(org, code, agendas, chosen = "", onChange = () => {}) {
  const status = h("p", { class: "hint", role: "status", "aria-live": "polite" }, t("appointment.loading"));
  const daySelect = h("select", { name: "appointment-day", "aria-describedby": "appointment-day-hint" });
  const times = h("div", { class: "slot-times", "data-js": "slot-times" });
  const more = h("button", { type: "button", class: "button secondary", hidden: true }, t("appointment.later"));
  const box = h("fieldset", { class: "slot-picker", "data-js": "slot-picker", "data-attr": "appointment" },
    h("legend", {}, t("appointment.legend")),
    h("p", { class: "hint", id: "appointment-day-hint" }, agendas.length > 1 ? t("appointment.several", { names: agendas.map((a) => a.name).join(", ") })
      : [agendas[0].name, agendas[0].place].filter(Boolean).join(", ")),
    h("label", { for: "appointment-day" }, t("appointment.day")), daySelect, times, status, more);
  daySelect.id = "appointment-day";
  let days = new Map();
  let from = localNow().slice(0, 10);

  const showTimes = () => {
    const slots = [...(days.get(daySelect.value)?.values() || [])];
    times.replaceChildren(...slots.map((s) => h("label", { class: "choice slot" },
      h("input", { type: "radio", name: "appointment", value: `${s.agenda}@${s.start}`, required: true, checked: `${s.agenda}@${s.start}` === chosen }),
      s.start.slice(11))));  // which counter is said in the confirmation: the person only chose a time
  };
  const load = async () => {
    status.textContent = t("appointment.loading");
    try {
      const found = await api.slots(org, code, from, DAYS_SHOWN);
      days = new Map([...days, ...byDay(found.slots)]);
      const keep = daySelect.value || chosen.split("@")[1]?.slice(0, 10);
      daySelect.replaceChildren(...[...days.keys()].map((d) => h("option", { value: d, selected: d === keep }, dayName(d))));
      status.textContent = days.size ? "" : t("appointment.none");
      more.hidden = false;
      showTimes();
    } catch (error) {
      status.textContent = error.code === "network" ? t("appointment.offline") : error.message;
    }
  };
  daySelect.addEventListener("change", () => { showTimes(); onChange(""); });
  times.addEventListener("change", (event) => onChange(event.target.value));
  more.addEventListener("click", () => {
    const next = new Date(`${from}T12:00:00`);
    next.setDate(next.getDate() + DAYS_SHOWN);
    from = next.toISOString().slice(0, 10);
    load();
  });
  load();
  return { element: box, value: () => box.querySelector("input[name=appointment]:checked")?.value || "", reload: () => { days = new Map(); daySelect.value = ""; load(); } };
}
