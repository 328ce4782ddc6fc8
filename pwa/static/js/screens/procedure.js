// One procedure's page: what it is for, who may ask, the documents, how long, the cost; then the way in.
import { t } from "../i18n.js";
import { add, errorBox, h, heading, serviceIcon } from "../ui.js";
import { procedure } from "./procedure-common.js";

const START = { incident: "/report", lost: "/report?kind=lost", found: "/report?kind=found" };

export async function render(view, { params }) {
  const [org, code] = params;
  let item;
  try {
    item = await procedure(org, code);
  } catch (error) {
    return add(view, heading(t("procedures.title")), errorBox(error), back(org));
  }
  const page = item.page;
  const start = item.kind === "form" ? `/procedures/${encodeURIComponent(org)}/${encodeURIComponent(code)}/form` : START[item.kind];
  add(view, h("p", { class: "meta" }, serviceIcon(item.icon), " ", item.group_name, " · ", item.organisation.name),
    heading(item.name), item.description ? h("p", {}, item.description) : null,
    h("dl", { class: "facts procedure-page" },
      h("dt", {}, t("procedure.audience")), h("dd", {}, page.audience.map((a) => t(`procedures.audience.${a}`)).join(", ")),
      page.who ? [h("dt", {}, t("procedure.who")), h("dd", {}, page.who)] : null,
      h("dt", {}, t("procedure.documents")), h("dd", {}, page.documents.length
        ? h("ul", {}, page.documents.map((d) => h("li", {}, d))) : t("procedure.documents.none")),
      page.duration ? [h("dt", {}, t("procedure.duration")), h("dd", {}, page.duration)] : null,
      page.cost ? [h("dt", {}, t("procedure.cost")), h("dd", {}, page.cost)] : null),
    h("div", { class: "actions" },
      h("a", { href: start, class: "button", "data-link": "", "data-js": "start" },
        t(item.kind === "form" ? "procedure.start" : "procedure.start.report"))),
    back(org));
}

const back = (org) => h("p", {}, h("a", { href: `/procedures?organisation=${encodeURIComponent(org)}`, "data-link": "" }, "← ", t("procedure.all")));
