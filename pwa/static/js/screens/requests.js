// My requests: what waits to be sent on this phone, then what was sent (by account and by tracking link).
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { add, errorBox, errorText, h, heading, serviceIcon, statusBadge } from "../ui.js";

function card(item, href) {
  return h("li", { class: "card" },
    item.photos?.[0] ? h("img", { src: item.photos[0].thumbnail_url, alt: "", loading: "lazy" }) : serviceIcon(item.service?.icon),
    h("div", { class: "body" },
      h("a", { class: "title", href, "data-link": "" }, item.service?.name || item.label || item.ref),
      h("p", {}, statusBadge(item.status), " ", h("span", { class: "ref" }, item.ref)),
      item.description ? h("p", {}, item.description.length > 120 ? `${item.description.slice(0, 120)}…` : item.description) : null,
      h("p", { class: "meta" }, t("requests.updated", { date: formatDate(item.updated_at || item.created_at) }))));
}

function waitingCard(item, redraw) {
  const failed = item.state === "failed";
  return h("li", { class: "card", "data-js": "waiting" },
    h("div", { class: "body" },
      h("p", {}, h("strong", {}, item.label), " ", statusBadge(failed ? "failed" : "waiting")),
      h("p", { class: "meta" }, t("requests.queued", { date: formatDate(item.queued_at) })),
      failed ? h("p", { class: "field-error" }, errorText(item.error)) : h("p", { class: "meta" }, t("requests.waiting.hint")),
      h("button", {
        type: "button", class: "button link",
        onclick: async () => { if (confirm(t("requests.discard.confirm"))) { await outbox.discard(item.id); redraw(); } },
      }, t("requests.discard"))));
}

export async function render(view, { app }) {
  add(view, heading(t("requests.title")));
  if (app.session.user) {
    const unread = app.session.unread_messages || 0;
    add(view, h("p", {}, h("a", { href: "/messages", "data-link": "" }, "✉ ",
      unread ? t("messages.link.unread", { count: unread }) : t("messages.title"))));
  }
  const waitingList = h("ul", { class: "cards", "aria-label": t("requests.waiting") });
  const sentList = h("ul", { class: "cards", "aria-label": t("requests.sent") });
  const notes = h("div", {});
  add(view, waitingList, notes, sentList);
  const redraw = async () => {
    const waiting = await outbox.items();
    waitingList.replaceChildren(...waiting.map((item) => waitingCard(item, redraw)));
    const rows = new Map();
    const errors = [];
    if (app.session.user) {
      try {
        for (const item of (await api.myRequests()).items) rows.set(item.ref, [item, `/requests/${encodeURIComponent(item.ref)}`]);
      } catch (error) { errors.push(error); }
    }
    // Requests made on this phone without an account: followed through their tracking links.
    const tracked = (await outbox.remembered()).filter((r) => r.token && !rows.has(r.ref));
    await Promise.all(tracked.map(async (r) => {
      try {
        rows.set(r.ref, [await api.track(r.token), `/track/${encodeURIComponent(r.token)}`]);
      } catch (error) { errors.push(error); }
    }));
    const sorted = [...rows.values()].sort((a, b) => (b[0].created_at || "").localeCompare(a[0].created_at || ""));
    sentList.replaceChildren(...sorted.map(([item, href]) => card(item, href)));
    notes.replaceChildren(errors.length ? errorBox(errors[0]) : "");
    if (!sorted.length && !waiting.length && !errors.length) {
      notes.replaceChildren(h("p", {}, t("requests.none")),
        h("div", { class: "actions" }, h("a", { href: "/report", class: "button", "data-link": "" }, t("home.report"))));
    }
    if (!app.session.user) {
      notes.append(h("p", { class: "meta" }, t("requests.signin"), " ",
        h("a", { href: "/account/login?next=/requests", "data-link": "" }, t("account.login"))));
    }
  };
  await redraw();
  const refresh = () => redraw();
  document.addEventListener("guichet:outbox", refresh);
  return () => document.removeEventListener("guichet:outbox", refresh);
}
