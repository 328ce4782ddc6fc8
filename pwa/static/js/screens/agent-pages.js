// Administrators: the town's legal and information pages, in French and English, with a preview.
import * as api from "../api.js";
import { t } from "../i18n.js";
import { add, errorBox, field, h, heading } from "../ui.js";
import { pageText } from "./pages.js";

export const wide = true;
const KINDS = ["privacy", "terms", "accessibility", "legal", "help"];

export async function render(view, { app, query }) {
  add(view, heading(t("pages.title")), h("p", {}, t("pages.intro")));
  // The organisations this administrator writes for: theirs and those under them (the canton's, its towns).
  const mine = new Set((app.session.user?.roles || []).filter((r) => r.role === "admin").map((r) => r.organisation));
  if (!mine.size) return add(view, h("p", {}, t("pages.forbidden")));
  const all = (await api.organisations()).items;
  const bySlug = Object.fromEntries(all.map((o) => [o.slug, o]));
  const writable = (o) => o && (mine.has(o.slug) || writable(bySlug[o.parent]));
  const orgs = all.filter(writable);
  const preferred = orgs.find((o) => o.slug === app.townSlug()) || orgs[0];
  const org = h("select", { name: "organisation" }, orgs.map((o) => h("option", { value: o.slug, selected: o === preferred }, o.name)));
  const kind = h("select", { name: "kind" }, KINDS.map((k) => h("option", { value: k, selected: k === query.get("kind") }, t(`footer.${k}`))));
  const lang = h("select", { name: "language" }, h("option", { value: "fr" }, "Français"), h("option", { value: "en" }, "English"));
  const title = h("input", { name: "title", required: true, maxLength: 200 });
  const body = h("textarea", { name: "body", required: true, rows: 18, maxLength: 50000 });
  const state = h("p", { class: "hint", "data-js": "state" });
  const preview = h("div", { class: "preview", "aria-live": "polite" });
  const out = h("div", {});
  const showPreview = () => preview.replaceChildren(h("h2", {}, title.value), pageText(body.value));
  const show = (page) => {
    title.value = page.title;
    body.value = page.body;
    state.textContent = t(page.edited ? "pages.edited" : "pages.builtin");
    showPreview();
  };
  const load = async () => {
    out.replaceChildren();
    try {
      show(await api.legalPage(kind.value, org.value, lang.value));
    } catch (error) {
      out.replaceChildren(errorBox(error));
    }
  };
  const form = h("form", { novalidate: true }, h("div", { class: "filters" }, field(t("pages.organisation"), org), field(t("pages.kind"), kind), field(t("account.language"), lang)), state,
    field(t("pages.page_title"), title), field(t("pages.body"), body, t("pages.format")), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("pages.save")),
      h("button", { type: "button", class: "button secondary", onclick: async () => {
        try {
          show(await api.resetLegalPage(org.value, kind.value, lang.value));
          out.replaceChildren(h("p", { class: "ok-box", role: "status" }, t("pages.reset_done")));
        } catch (error) {
          out.replaceChildren(errorBox(error, form));
        }
      } }, t("pages.reset"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelectorAll(".field-error").forEach((e) => e.remove());
    try {
      show(await api.saveLegalPage(org.value, kind.value, { language: lang.value, title: title.value, body: body.value }));
      out.replaceChildren(h("p", { class: "ok-box", role: "status" }, t("pages.saved")));
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  kind.addEventListener("change", load);
  org.addEventListener("change", load);
  lang.addEventListener("change", load);
  title.addEventListener("input", showPreview);
  body.addEventListener("input", showPreview);
  add(view, form, h("h2", {}, t("pages.preview")), preview);
  await load();
}
