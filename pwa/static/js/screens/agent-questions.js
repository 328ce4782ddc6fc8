// The questions editor of a procedure, for its service managers (issue 17, point 4): each question in both
// languages, its type, whether required, its help, its choices, the earlier answer it depends on; reordered,
// withdrawn or added, with a live preview drawn by the citizens' own form renderer. Saving makes a new
// version: the requests already answered keep theirs.
import * as api from "../api.js";
import { formatDate, language, t } from "../i18n.js";
import { add, errorBox, field, h, heading } from "../ui.js";
import { applyConditions, attributeInput } from "./report-steps.js";

export const wide = true;
const TYPES = ["string", "text", "number", "date", "datetime", "boolean", "singlevaluelist", "multivaluelist",
  "email", "phone", "address", "file"];
const LISTS = ["singlevaluelist", "multivaluelist"];

const choicesText = (values) => (values || []).map((v) => [v.key, v.name, v.name_en && v.name_en !== v.name ? v.name_en : ""]
  .filter(Boolean).join(" | ")).join("\n");
const parseChoices = (text) => text.split("\n").map((line) => line.split("|").map((p) => p.trim())).filter((p) => p[0])
  .map(([key, name, nameEn]) => ({ key, name: name || key, name_en: nameEn || name || key }));

/** The question as the citizens' renderer sees it, in the page's language. */
function asAsked(q) {
  const en = language() === "en";
  return { ...q, description: (en && q.description_en) || q.description || q.code, help: (en && q.help_en) || q.help || "",
    values: (q.values || []).map((v) => ({ key: v.key, name: (en && v.name_en) || v.name })) };
}

/** The list of procedures the person manages: a link to each one's questions. */
async function list(view) {
  add(view, h("p", {}, h("a", { href: "/agent", "data-link": "" }, `← ${t("agent.back")}`)), heading(t("questions.title")));
  let items;
  try {
    items = (await api.editableProcedures()).items;
  } catch (error) {
    return add(view, errorBox(error));
  }
  if (!items.length) return add(view, h("p", { class: "info-box" }, t("questions.none")));
  for (const org of [...new Set(items.map((s) => s.organisation))]) {
    const mine = items.filter((s) => s.organisation === org);
    add(view, h("h2", {}, mine[0].organisation_name), h("ul", { class: "plain", "data-js": "editable" }, mine.map((s) =>
      h("li", {}, h("a", { href: `/agent/questions/${encodeURIComponent(org)}/${encodeURIComponent(s.code)}`, "data-link": "" }, s.name),
        h("span", { class: "meta" }, ` · ${t("questions.version", { version: s.version })}`)))));
  }
}

export async function render(view, { app, params }) {
  if (!params.length) return list(view);
  const [org, code] = params;
  let loaded;
  try {
    loaded = await api.serviceQuestions(org, code);
  } catch (error) {
    return add(view, heading(t("questions.title")), errorBox(error));
  }
  const questions = loaded.attributes.map((q) => ({ ...q }));
  const saved = new Set(questions.map((q) => q.code));
  const cards = h("div", { "data-js": "questions" });
  const preview = h("form", { class: "preview", "data-js": "preview", "aria-label": t("questions.preview") });
  const out = h("div", { role: "status", "aria-live": "polite" });

  const drawPreview = () => {
    const asked = { attributes: questions.filter((q) => q.active !== false).map(asAsked) };
    preview.replaceChildren(...asked.attributes.map((q) => attributeInput(q, undefined)));
    applyConditions(preview, asked);
  };
  const move = (i, by) => {
    [questions[i], questions[i + by]] = [questions[i + by], questions[i]];
    draw();
    cards.querySelectorAll("fieldset")[i + by]?.querySelector("button[data-js=up], button[data-js=down]")?.focus();
  };
  const card = (q, i) => {
    const label = q.description || t("questions.new");
    const input = (name, value, attrs = {}) => h("input", { name: `${name}-${i}`, value: value ?? "", ...attrs,
      oninput: (e) => { q[name] = e.target.value; drawPreview(); } });
    const type = h("select", { name: `datatype-${i}`, onchange: (e) => { q.datatype = e.target.value; draw(); } },
      TYPES.map((d) => h("option", { value: d, selected: d === q.datatype }, t(`questions.type.${d}`))));
    const earlier = questions.slice(0, i).filter((e) => e.code);
    const condition = h("select", { name: `condition-${i}`, onchange: (e) => {
      q.condition = e.target.value ? { code: e.target.value, equals: q.condition?.equals ?? "" } : undefined;
      draw();
    } }, h("option", { value: "" }, t("questions.always")),
    earlier.map((e) => h("option", { value: e.code, selected: q.condition?.code === e.code }, e.description || e.code)));
    return h("fieldset", { class: "question-card", "data-js": "question" },
      h("legend", {}, t("questions.number", { n: i + 1, label })),
      h("div", { class: "grid2" },
        field(t("questions.label_fr"), input("description", q.description, { required: true })),
        field(t("questions.label_en"), input("description_en", q.description_en)),
        field(t("questions.code"), input("code", q.code, { readOnly: saved.has(q.code), pattern: "[a-z0-9][a-z0-9_-]*" }),
          saved.has(q.code) ? t("questions.code.kept") : t("questions.code.hint")),
        field(t("questions.type"), type),
        field(t("questions.help_fr"), input("help", q.help)),
        field(t("questions.help_en"), input("help_en", q.help_en))),
      LISTS.includes(q.datatype) ? field(t("questions.choices"), h("textarea", { name: `values-${i}`, rows: 3, value: choicesText(q.values),
        oninput: (e) => { q.values = parseChoices(e.target.value); drawPreview(); } }), t("questions.choices.hint")) : null,
      h("div", { class: "grid2" },
        field(t("questions.condition"), condition),
        q.condition ? field(t("questions.condition.value"), h("input", { name: `equals-${i}`, value: String(q.condition.equals ?? ""),
          oninput: (e) => { q.condition.equals = ["true", "false"].includes(e.target.value) ? e.target.value === "true" : e.target.value; drawPreview(); } }),
        t("questions.condition.hint")) : null),
      h("label", { class: "choice" }, h("input", { type: "checkbox", name: `required-${i}`, checked: Boolean(q.required),
        onchange: (e) => { q.required = e.target.checked; drawPreview(); } }), t("questions.required")),
      h("label", { class: "choice" }, h("input", { type: "checkbox", name: `withdrawn-${i}`, checked: q.active === false,
        onchange: (e) => { if (e.target.checked) q.active = false; else delete q.active; drawPreview(); } }), t("questions.withdrawn")),
      h("div", { class: "actions tight" },
        h("button", { type: "button", class: "button secondary small", "data-js": "up", disabled: i === 0, onclick: () => move(i, -1),
          "aria-label": t("questions.up", { label }) }, "↑"),
        h("button", { type: "button", class: "button secondary small", "data-js": "down", disabled: i === questions.length - 1,
          onclick: () => move(i, 1), "aria-label": t("questions.down", { label }) }, "↓"),
        h("button", { type: "button", class: "button secondary small", onclick: () => { questions.splice(i, 1); draw(); } },
          t("questions.remove", { label }))));
  };
  function draw() {
    cards.replaceChildren(...questions.map(card));
    drawPreview();
  }
  const save = async () => {
    const attributes = questions.map((q, i) => ({ ...q, order: i + 1, ...(q.condition ? {} : { condition: undefined }) }));
    try {
      const done = await api.saveQuestions(org, code, JSON.parse(JSON.stringify(attributes)));
      const fresh = await api.serviceQuestions(org, code);
      out.replaceChildren(h("p", { class: "ok-box" }, t("questions.saved", { version: fresh.version })));
      version.textContent = t("questions.version", { version: fresh.version });
      fresh.attributes.forEach((q) => saved.add(q.code));
      history.replaceChildren(...historyItems(fresh.history));
      draw();
      return done;
    } catch (error) {
      // The server names a question by its place (attributes[2]) or by its code.
      const at = /attributes\[(\d+)\]/.exec(error.field || "");
      out.replaceChildren(errorBox(at ? { ...error, message: `${t("questions.number", { n: Number(at[1]) + 1, label: "" })} ${error.message}`, field: null } : error));
    }
  };
  const historyItems = (items) => items.map((v) => h("li", {}, t("questions.history.item", { version: v.version, at: v.at ? formatDate(v.at) : "—", by: v.by || "—" })));
  const version = h("p", { class: "meta", "data-js": "version" }, t("questions.version", { version: loaded.version }));
  const history = h("ol", { class: "plain" }, historyItems(loaded.history));
  add(view, h("p", {}, h("a", { href: "/agent/questions", "data-link": "" }, `← ${t("questions.title")}`)),
    heading(t("questions.of", { name: loaded.name })), version, h("p", { class: "hint" }, t("questions.intro")),
    h("div", { class: "editor-and-preview" },
      h("section", { "aria-labelledby": "questions-h" }, h("h2", { id: "questions-h" }, t("questions.list")), cards,
        h("div", { class: "actions" },
          h("button", { type: "button", class: "button secondary", "data-js": "add", onclick: () => {
            questions.push({ code: "", datatype: "string", required: false, description: "", description_en: "" });
            draw();
            cards.lastElementChild.querySelector("input").focus();
          } }, t("questions.add")),
          h("button", { type: "button", class: "button", "data-js": "save", onclick: save }, t("questions.save"))), out),
      h("section", { "aria-labelledby": "preview-h" }, h("h2", { id: "preview-h" }, t("questions.preview")), preview)),
    h("h2", {}, t("questions.history")), history);
  draw();
}
