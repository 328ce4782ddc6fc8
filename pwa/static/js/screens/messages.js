// The citizen's inbox ("messagerie"): every update about their requests, newest first.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, errorBox, h, heading } from "../ui.js";

export async function render(view, { app }) {
  add(view, heading(t("messages.title")));
  if (!app.session.user) {
    add(view, h("p", {}, t("messages.signin"), " ", h("a", { href: "/account/login?next=/messages", "data-link": "" }, t("account.login"))));
    return;
  }
  const list = h("ul", { class: "cards" });
  const more = h("div", { class: "actions" });
  add(view, list, more);
  const load = async (cursor) => {
    let page;
    try {
      page = await api.messages(cursor);
    } catch (error) {
      return add(view, errorBox(error));
    }
    if (!cursor && !page.items.length) list.replaceWith(h("p", {}, t("messages.none")));
    list.append(...page.items.map((m) => h("li", { class: "card", "data-js": "message" }, h("div", { class: "body" },
      h("p", {}, m.read ? null : h("span", { class: "status waiting" }, h("span", { "aria-hidden": "true" }, "●"), t("messages.new")), " ",
        h("strong", {}, m.subject)),
      h("p", { class: "meta" }, h("time", { datetime: m.created_at }, formatDate(m.created_at))),
      m.body && m.body !== `${m.subject}.` ? h("p", {}, m.body) : null,
      m.request ? h("a", { href: `/requests/${encodeURIComponent(m.request)}`, "data-link": "" }, t("messages.open", { ref: m.request })) : null))));
    more.replaceChildren(page.next_cursor ? h("button", {
      type: "button", class: "button secondary", onclick: () => load(page.next_cursor),
    }, t("messages.more")) : "");
    if (page.unread) {
      await api.readAllMessages().catch(() => {});
      app.setUnread(0);
    }
  };
  await load(null);
}
