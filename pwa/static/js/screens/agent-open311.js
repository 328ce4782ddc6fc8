// Administrators: the Open311 keys given to outside clients (another city's tool, a data portal).
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, announce, errorBox, field, h, heading } from "../ui.js";

export const wide = true;

export async function render(view, { app }) {
  add(view, heading(t("open311.title")), h("p", {}, t("open311.intro")));
  const orgs = (app.session.user?.roles || []).filter((r) => r.role === "admin").map((r) => r.organisation);
  if (!orgs.length) return add(view, h("p", {}, t("open311.forbidden")));
  const organisation = orgs[0];
  const reload = () => app.navigate(location.pathname, { replace: true, state: { keepFocus: true } });
  const name = h("input", { name: "name", required: true, maxLength: 100 });
  const out = h("div", { role: "status" });
  const form = h("form", { class: "inline" }, field(t("open311.name"), name),
    h("button", { type: "submit", class: "button" }, t("open311.create")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const created = await api.createOpen311Key(organisation, name.value.trim());
      out.replaceChildren(h("div", { class: "ok-box" }, h("p", {}, t("open311.once")),
        h("p", {}, h("code", { "data-js": "new-key" }, created.key))));
      name.value = "";
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  let keys = [];
  try {
    keys = (await api.open311Keys(organisation)).items;
  } catch (error) {
    return add(view, errorBox(error));
  }
  add(view, form, out, h("h2", {}, t("open311.keys")),
    h("table", { class: "queue" }, h("caption", { class: "visually-hidden" }, t("open311.keys")),
      h("thead", {}, h("tr", {}, [t("open311.name"), t("open311.prefix"), t("open311.created"), ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, keys.map((k) => h("tr", {}, h("td", {}, k.name), h("td", {}, h("code", {}, `${k.prefix}…`)),
        h("td", {}, formatDate(k.created_at)),
        h("td", {}, k.revoked_at ? t("open311.revoked", { date: formatDate(k.revoked_at) })
          : h("button", { type: "button", class: "button secondary", "aria-label": t("open311.revoke_named", { name: k.name }),
            onclick: async () => { await api.revokeOpen311Key(organisation, k.id); announce(t("open311.revoked_now"), { kind: "ok" }); reload(); } },
          t("open311.revoke"))))))),
    h("p", { class: "meta" }, t("open311.endpoint"), " ", h("code", {}, `${location.origin}/open311/v2/discovery.json`)));
}
