// Being told on this phone: the offer after a report is sent, and the settings of the account page.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as push from "../push.js";
import { errorBox, errorText, h } from "../ui.js";

function explain(error) {
  if (error.message === "denied") return t("notify.denied");
  if (error.message === "unsupported" || error.name === "AbortError" || error.name === "NotSupportedError") return t("notify.unsupported");
  return error.code ? errorText(error) : t("notify.unsupported");
}

/** "Be told on this phone": shown once a report is sent; `token` for an anonymous author's request. */
export function offerBox(token = null) {
  if (!push.supported() || push.permission() === "denied") return null;
  const status = h("div", { role: "status", "aria-live": "polite" });
  const button = h("button", {
    type: "button", class: "button secondary",
    onclick: async () => {
      button.disabled = true;
      try {
        await push.enable(token);
        box.replaceChildren(h("p", { class: "ok-box" }, "🔔 ", t("notify.enabled")));
      } catch (error) {
        button.disabled = false;
        status.replaceChildren(h("p", { class: "info-box" }, explain(error)));
      }
    },
  }, "🔔 ", t("notify.enable"));
  const box = h("section", { class: "info-box", "aria-labelledby": "notify-title" },
    h("h2", { id: "notify-title" }, t("notify.title")), h("p", {}, t("notify.why")), button, status);
  return box;
}

/** The account's notification settings: this device, and the channels for each kind of event. */
export async function settingsSection() {
  const section = h("section", { "aria-labelledby": "prefs-title" }, h("h2", { id: "prefs-title" }, t("notify.settings")));
  const device = h("div", { role: "status", "aria-live": "polite" });
  section.append(device);
  const drawDevice = async () => {
    const on = Boolean(await push.current().catch(() => null)) && push.permission() === "granted";
    const toggle = h("button", {
      type: "button", class: "button secondary",
      onclick: async () => {
        try {
          if (on) await push.disable(); else await push.enable();
          await drawDevice();
        } catch (error) {
          device.append(h("p", { class: "info-box" }, explain(error)));
        }
      },
    }, on ? t("notify.device.off") : t("notify.device.on"));
    device.replaceChildren(h("p", {}, on ? t("notify.device.enabled") : t("notify.device.disabled")),
      push.supported() ? toggle : h("p", { class: "meta" }, t("notify.unsupported")));
  };
  await drawDevice();
  let body;
  try {
    body = await api.notificationPrefs();
  } catch (error) {
    section.append(errorBox(error));
    return section;
  }
  const saved = h("p", { role: "status", "aria-live": "polite", class: "meta" });
  const form = h("form", {}, body.kinds.map((kind) => h("fieldset", {},
    h("legend", {}, t(`notify.kind.${kind}`)),
    body.channels.map((channel) => h("label", { class: "choice" },
      h("input", { type: "checkbox", name: `${kind}:${channel}`, checked: body.prefs[kind].includes(channel) }),
      t(`notify.channel.${channel}`))))), saved);
  form.addEventListener("change", async () => {
    const prefs = Object.fromEntries(body.kinds.map((kind) => [kind,
      body.channels.filter((channel) => form.elements[`${kind}:${channel}`].checked)]));
    try {
      await api.setNotificationPrefs(prefs);
      saved.textContent = t("notify.saved");
    } catch (error) {
      saved.replaceChildren(errorBox(error));
    }
  });
  section.append(h("p", { class: "hint" }, t("notify.inbox")), form);
  return section;
}
