// A path the app does not know.
import { t } from "../i18n.js";
import { h, heading } from "../ui.js";

export function render(view) {
  view.append(heading(t("missing.title")), h("p", {}, h("a", { href: "/", "data-link": "" }, t("missing.home"))));
}
