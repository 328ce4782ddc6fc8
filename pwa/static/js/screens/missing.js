// A path the app does not know.
import { t } from "../i18n.js";
import { add, h, heading } from "../ui.js";

export function render(view) {
  add(view, heading(t("missing.title")), h("p", {}, h("a", { href: "/", "data-link": "" }, t("missing.home"))));
}
