// Staff's agendas: a day or a week of one agenda, each slot with its places and its appointments; attended or
// no-show once the time has come, and a slot blocked (or opened again) for a counter that closes. Status is said
// in words, never by colour alone.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { add, errorBox, field, h, heading, localNow } from "../ui.js";
import { dayName } from "./slot-picker.js";

export const wide = true;


function slotRow(agendaId, slot, rerun) {
  const time = slot.start.slice(11);
  const act = async (call) => {
    try {
      await call();
      await rerun();
    } catch (error) {
      alert(error.message);
    }
  };
  const past = slot.start <= localNow();
  const booking = (b) => h("li", { "data-js": "booking" },
    h("a", { href: `/agent/requests/${encodeURIComponent(b.ref)}`, "data-link": "" }, b.ref), ` · ${b.who} · `,
    h("strong", {}, t(`appointment.status.${b.status}`)),
    past && b.status === "booked" ? [" ",
      h("button", { type: "button", class: "button small", onclick: () => act(() => api.markBooking(b.id, "attended")) }, t("agendas.attended")), " ",
      h("button", { type: "button", class: "button secondary small", onclick: () => act(() => api.markBooking(b.id, "no_show")) }, t("agendas.no_show"))] : null);
  return h("tr", { class: slot.blocked ? "blocked" : "" },
    h("th", { scope: "row" }, time),
    h("td", { class: "num" }, slot.blocked ? `🚫 ${t("agendas.blocked")}` : `${slot.taken} / ${slot.capacity}`),
    h("td", {}, slot.bookings.length ? h("ul", { class: "plain" }, slot.bookings.map(booking)) : h("span", { class: "meta" }, t("agendas.free"))),
    h("td", {}, past ? null : h("button", { type: "button", class: "button secondary small", "data-js": "block",
      onclick: () => act(() => api.blockSlot(agendaId, slot.start, !slot.blocked)) },
    t(slot.blocked ? "agendas.unblock" : "agendas.block", { time: `${time}, ${dayName(slot.start.slice(0, 10))}` }))));
}

function dayTable(agendaId, day, rerun) {
  if (!day.slots.length) return h("section", {}, h("h2", {}, dayName(day.day)), h("p", { class: "meta" }, t("agendas.closed")));
  return h("section", {}, h("table", { class: "queue agenda", "data-js": "agenda-day" },
    h("caption", {}, dayName(day.day)),
    h("thead", {}, h("tr", {}, [t("agendas.time"), t("agendas.places"), t("agendas.who"), t("agendas.actions")]
      .map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, day.slots.map((s) => slotRow(agendaId, s, rerun)))));
}

export async function render(view, { app, query }) {
  add(view, h("p", {}, h("a", { href: "/agent", "data-link": "" }, `← ${t("agent.back")}`)), heading(t("agendas.title")));
  let list;
  try {
    list = (await api.agendas()).items;
  } catch (error) {
    return add(view, errorBox(error));
  }
  if (!list.length) return add(view, h("p", { class: "info-box" }, t("agendas.none")));
  const chosen = { agenda: query.get("agenda") || String(list[0].id), from: query.get("from") || localNow().slice(0, 10), days: query.get("days") === "7" ? "7" : "1" };
  const form = h("form", { class: "filters no-print", method: "get", action: "/agent/agendas" },
    field(t("agendas.agenda"), h("select", { name: "agenda" }, list.map((a) =>
      h("option", { value: a.id, selected: String(a.id) === chosen.agenda }, `${a.service_name} · ${a.name}`)))),
    field(t("agendas.from"), h("input", { type: "date", name: "from", value: chosen.from })),
    field(t("agendas.view"), h("select", { name: "days" }, [["1", "day"], ["7", "week"]].map(([n, k]) =>
      h("option", { value: n, selected: n === chosen.days }, t(`agendas.view.${k}`))))),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agendas.show"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    app.navigate(`/agent/agendas?${new URLSearchParams(new FormData(form))}`);
  });
  const out = h("div", { "data-js": "agenda-days" });
  add(view, form, out);
  const show = async () => {
    try {
      const body = await api.agendaDays(chosen.agenda, chosen.from, chosen.days);
      out.replaceChildren(h("p", { class: "meta" }, [body.agenda.name, body.agenda.place].filter(Boolean).join(" · ")),
        ...body.days.map((d) => dayTable(body.agenda.id, d, show)));
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  };
  await show();
}
