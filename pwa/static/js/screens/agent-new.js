// An agent records a request received by phone, at the counter or by mail: the same queue as the app's.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as maps from "../map.js";
import { placeSearch } from "./place-search.js";
import { applyConditions, attributeInput, readAttributes, readFiles } from "./report-steps.js";
import { downscale } from "../photos.js";
import { add, errorBox, field, h, heading } from "../ui.js";
import { staffRoles } from "./agent-queue.js";


export const wide = true;

/** An object handed in at the counter: the office's register (storage place, holding period), then its photos. */
async function recordFound(fields, attributes, storagePlace, blobs) {
  const created = await api.recordFound({
    category: attributes.categorie, colour: attributes.couleur, brand: attributes.marque, marks: attributes.signes,
    description: fields.description || attributes.categorie, when_from: attributes.quand, when_to: attributes.quand,
    lat: Number(fields.lat), lon: Number(fields.lon), storage_place: storagePlace || undefined, channel: fields.channel,
    contact_name: fields.contact_name || undefined, contact_email: fields.contact_email || undefined,
    contact_phone: fields.contact_phone || undefined });
  if (blobs.length) await api.addPhotos(created.ref, blobs, null, "report");
  return created;
}

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
  const questions = h("div", {});  // the chosen category's questions (an object's colour, when it was found...)
  const storage = h("input", { type: "text", name: "storage_place", maxLength: 200 });
  const chosen = () => catalogue.find((s) => s.code === service.value);
  const duplicates = h("div", { role: "status", "aria-live": "polite", "data-js": "duplicates" });
  // The same place and category already reported and open: the caller may be the second to ring about it.
  let asked = 0;
  const checkDuplicates = async () => {
    const svc = chosen();
    const mine = ++asked;
    if (where.lat === null || !svc || svc.kind !== "incident") return duplicates.replaceChildren();
    try {
      const { items } = await api.nearby(where.lat.toFixed(6), where.lon.toFixed(6), svc.code);
      if (mine !== asked) return;
      duplicates.replaceChildren(items.length ? h("div", { class: "info-box" },
        h("p", {}, h("strong", {}, t("agent.new.duplicates", { count: items.length }))),
        h("ul", {}, items.map((item) => h("li", {},
          h("a", { href: `/agent/requests/${encodeURIComponent(item.ref)}`, "data-link": "" }, item.ref), " · ",
          t(`status.${item.status}`), " · ", t("report.nearby.distance", { m: Math.round(item.distance_m) }),
          item.address ? ` · ${item.address}` : "")))) : "");
    } catch {
      duplicates.replaceChildren();  // a help, not a step
    }
  };
  service.addEventListener("change", () => {
    checkDuplicates();
    const svc = chosen();
    questions.replaceChildren(...(svc?.attributes || []).map((a) => attributeInput(a, null)),
      svc?.kind === "found" ? field(t("lostfound.storage"), storage, t("lostfound.storage.hint")) : "");
    if (svc) applyConditions(questions, svc);
  });
  questions.addEventListener("input", () => { const svc = chosen(); if (svc) applyConditions(questions, svc); });
  const out = h("div", {});
  const address = h("input", { type: "text", name: "address", maxLength: app.config.max_short_text });
  let pin = null;
  const search = placeSearch((found) => {
    address.value = found.label;
    pin?.place(found.lat, found.lon, 18);
  });
  const form = h("form", { novalidate: true },
    field(t("agent.new.channel"), h("select", { name: "channel" }, ["phone", "counter", "mail"].map((c) =>
      h("option", { value: c }, t(`agent.channel.${c}`))))),
    field(t("agent.filter.service"), service), questions,
    h("fieldset", { class: "where" }, h("legend", {}, t("agent.new.where")), search, mapEl, pinStatus),
    field(t("request.address"), address), duplicates,
    field(t("report.details.description.incident"), h("textarea", { name: "description", maxLength: app.config.max_description })),
    field(t("agent.new.contact_name"), h("input", { type: "text", name: "contact_name", autocomplete: "off", maxLength: app.config.max_short_text })),
    field(t("agent.new.contact_email"), h("input", { type: "email", name: "contact_email", autocomplete: "off" }), t("agent.new.contact_hint")),
    field(t("agent.new.contact_phone"), h("input", { type: "text", name: "contact_phone", inputMode: "tel", maxLength: 40 })),
    field(t("report.step.photos"), photos),
    out, h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("agent.new.save"))));
  add(view, form);
  const map = await maps.createMap(mapEl, { bounds: maps.areaBounds(app.config, roles[0].organisation), config: app.config });
  pin = maps.reportPin(map, (lat, lon) => {
    Object.assign(where, { lat, lon });
    pinStatus.textContent = t("agent.new.pinned");
    if (out.dataset.problem === "pin") out.replaceChildren();  // the error said to place it: it is placed
    checkDuplicates();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    delete out.dataset.problem;
    if (!service.value) return out.replaceChildren(errorBox({ field: "service", message: t("error.required") }, form));
    if (where.lat === null) {
      out.dataset.problem = "pin";
      return out.replaceChildren(errorBox({ message: t("agent.new.pin") }));
    }
    const svc = chosen();
    const attributes = readAttributes(form, svc);
    const fields = Object.fromEntries([...new FormData(form)].filter(([name]) => name !== "photo" && !name.startsWith("attr:") && name !== "storage_place"));
    Object.assign(fields, { lat: where.lat.toFixed(6), lon: where.lon.toFixed(6), attributes });
    try {
      const blobs = await Promise.all([...photos.files].map((f) => downscale(f, app.config.photo_side)));
      const created = svc.kind === "found" ? await recordFound(fields, attributes, storage.value.trim(), blobs)
        : await api.createRequest(fields, blobs, crypto.randomUUID(), undefined, readFiles(form, svc));
      app.navigate(`/agent/requests/${encodeURIComponent(created.ref)}`, { replace: true });
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return () => maps.removeMap(map);
}
