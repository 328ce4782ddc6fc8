// A request's appointment on its page: when and where, and, while it is to come, cancel it or move it to another
// free slot (the author, signed in or by their tracking link; staff from the back office).
import * as api from "../api.js";
import { t } from "../i18n.js";
import { errorBox, h } from "../ui.js";
import { slotPicker } from "./slot-picker.js";

export function appointmentBox(req, token, reload) {
  const booking = req.appointment;
  if (!booking) return null;
  const out = h("div", {});
  const run = async (call, done) => {
    try {
      await call();
      await reload(t(done));
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  const cancel = h("button", { type: "button", class: "button secondary", "data-js": "cancel-appointment",
    onclick: () => confirm(t("appointment.cancel.confirm")) && run(() => api.cancelAppointment(req.ref, token), "appointment.cancelled") },
  t("appointment.cancel"));
  const move = h("button", { type: "button", class: "button secondary", "data-js": "move-appointment", onclick: () => {
    const picker = slotPicker(req.organisation, req.service.code, [{ id: booking.agenda, name: booking.agenda_name, place: booking.place }]);
    const form = h("form", { novalidate: true, "data-js": "move-form" }, picker.element,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("appointment.move.confirm"))));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (picker.value()) run(() => api.moveAppointment(req.ref, picker.value(), token), "appointment.moved");
    });
    out.replaceChildren(form);
    form.querySelector("select").focus();
  } }, t("appointment.move"));
  return h("section", { class: "info-box appointment", "data-js": "appointment", "aria-labelledby": "appointment-title" },
    h("h2", { id: "appointment-title" }, `📅 ${t("appointment.title")} · ${t(`appointment.status.${booking.status}`)}`),
    h("p", { "data-js": "appointment-text" }, booking.text),
    booking.may_change ? h("div", { class: "actions split" }, move, cancel) : null, out);
}
