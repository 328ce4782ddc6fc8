// An agent records a request received by phone, at the counter or by mail: the same queue as the app's.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as maps from "../map.js";
import { downscale } from "../photos.js";
import { add, errorBox, field, h, heading } from "../ui.js";
import { staffRoles } from "./agent-queue.js";


export const wide = true;

export async function render(view, { app }) {
  add(view, h("p", {}, h("a", { href: "/agent", "data-link": "" }, `← ${t("agent.back")}`)), heading(t("agent.new.title")));
  const roles = staffRoles(app.session.user);
  if (!roles.length) return add(view, h("p", {}, t("agent.forbidden")));
  const catalogue = (await api.catalogueOf(roles[0].organisation).catch(() => ({ items: [] }))).items;
  const where = { lat: null, lon: null };
  const pinStatus = h("p", { role: "status", "aria-live": "polite", class: "hint" }, t("agent.new.pin"));
  const mapEl = h("div", { class: "map small" });
  const service = h("select", { name: "service", required: true }, h("option", { value: "" }, "—"),
    catalogue.map((s) => h("option", { value: s.code }, s.name)));
  const photos = h("input", { type: "file", name: "photo", accept: "image/*", multiple: true });
  const out = h("div", {});
  const form = h("form", { novalidate: true },
    field(t("agent.new.channel"), h("select", { name: "channel" }, ["phone", "counter", "mail"].map((c) =>
      h("option", { value: c }, t(`agent.channel.${c}`))))),
    field(t("agent.filter.service"), service),
    h("label", {}, t("agent.new.where")), mapEl, pinStatus,
    field(t("request.address"), h("input", { type: "text", name: "address", maxLength: app.config.max_short_text })),
    field(t("report.details.description.incident"), h("textarea", { name: "description", maxLength: app.config.max_description })),
    field(t("agent.new.contact_name"), h("input", { type: "text", name: "contact_name", autocomplete: "off", maxLength: app.config.max_short_text })),
    field(t("agent.new.contact_email"), h("input", { type: "email", name: "contact_email", autocomplete: "off" }), t("agent.new.contact_hint")),
    field(t("agent.new.contact_phone"), h("input", { type: "text", name: "contact_phone", inputMode: "tel", maxLength: 40 })),
    field(t("report.step.photos"), photos),
    out, h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agent.new.save"))));
  add(view, form);
  const map = await maps.createMap(mapEl, { bounds: maps.areaBounds(app.config, roles[0].organisation), config: app.config });
  maps.reportPin(map, (lat, lon) => {
    Object.assign(where, { lat, lon });
    pinStatus.textContent = t("agent.new.pinned");
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    if (!service.value) return out.replaceChildren(errorBox({ field: "service", message: t("error.required") }, form));
    if (where.lat === null) return out.replaceChildren(errorBox({ message: t("agent.new.pin") }));
    const fields = Object.fromEntries([...new FormData(form)].filter(([name]) => name !== "photo"));
    Object.assign(fields, { lat: where.lat.toFixed(6), lon: where.lon.toFixed(6) });
    try {
      const blobs = await Promise.all([...photos.files].map((f) => downscale(f, app.config.photo_side)));
      const created = await api.createRequest(fields, blobs, crypto.randomUUID());
      app.navigate(`/agent/requests/${encodeURIComponent(created.ref)}`, { replace: true });
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return () => maps.removeMap(map);
}
