// The legal and information pages (terms, privacy, accessibility, legal notice, help), each town's own text.
import * as api from "../api.js";
import { formatDate, t } from "../i18n.js";
import { add, errorBox, h, heading } from "../ui.js";

/** The page's plain text as elements: a blank line parts paragraphs, "## " starts a heading, "- " a list item.
 *  Text only (never HTML): what an administrator writes cannot run in a citizen's browser. */
export function pageText(body) {
  const out = h("div", { class: "page-text" });
  for (const block of body.split(/\n\s*\n/)) {
    let list = null;
    let para = null;
    for (const line of block.split("\n")) {
      if (line.startsWith("## ")) {
        out.append(h("h2", {}, line.slice(3).trim()));
        list = para = null;
      } else if (line.startsWith("- ")) {
        if (!list) out.append(list = h("ul", {}));
        list.append(h("li", {}, line.slice(2).trim()));
        para = null;
      } else if (line.trim()) {
        if (para) para.append(h("br", {}), line.trim());
        else out.append(para = h("p", {}, line.trim()));
        list = null;
      }
    }
  }
  return out;
}

export async function render(view, { app, params }) {
  try {
    const page = await api.legalPage(params[0], app.townSlug());
    add(view, heading(page.title), pageText(page.body),
      page.updated_at ? h("p", { class: "hint" }, t("pages.updated", { date: formatDate(page.updated_at) })) : null,
      (app.session.user?.roles || []).some((r) => r.role === "admin")  // of this town or one above it: the server decides
        ? h("p", {}, h("a", { href: `/agent/pages?kind=${page.kind}`, "data-link": "" }, t("pages.edit"))) : null);
  } catch (error) {
    add(view, heading(t("missing.title")), errorBox(error));
  }
}
