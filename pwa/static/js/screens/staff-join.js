// The applicant's way to a staff account, step by step, with the state of each request they made.
import * as api from "../api.js";
import { formatDate, language, t } from "../i18n.js";
import { add, errorBox, field, h, heading } from "../ui.js";

const SERVICE_ROLES = ["agent", "field_agent", "dispatcher", "service_manager"];

/** The progress indicator: an ordered list, each step said done or to do in words, the current one marked. */
export function progress(steps) {
  const current = steps.findIndex((s) => !s.done);
  return h("ol", { class: "progress-steps", "aria-label": t("join.steps") }, steps.map((s, i) =>
    h("li", { class: s.done ? "done" : i === current ? "current" : "", "aria-current": i === current ? "step" : undefined },
      h("span", { "aria-hidden": "true" }, s.done ? "✔ " : i === current ? "➜ " : "○ "), t(`join.step.${s.step}`),
      h("span", { class: "visually-hidden" }, ` (${s.done ? t("join.done") : i === current ? t("join.current") : t("join.todo")})`))));
}

function submitting(form, out, send) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    const missing = [...form.querySelectorAll("[required]")].find((i) => !i.value.trim());
    if (missing) return out.replaceChildren(errorBox({ field: missing.name, message: t("error.required") }, form));
    try {
      await send(new FormData(form));
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

function applicationForm(towns, reload) {
  const out = h("div", {});
  const input = (name, extra = {}) => h("input", { type: "text", name, maxLength: 200, ...extra });
  const kind = h("select", { name: "kind" }, ["account", "secretary"].map((k) => h("option", { value: k }, t(`join.kind.${k}`))));
  const form = h("form", { novalidate: true, "data-js": "join-form" },
    field(t("join.kind"), kind),
    field(t("join.municipality"), h("select", { name: "organisation", required: true }, towns.map((o) => h("option", { value: o.slug }, o.name)))),
    towns.length > 1 ? h("fieldset", {}, h("legend", {}, t("join.also")), towns.map((o) => h("label", { class: "choice" },
      h("input", { type: "checkbox", name: "also", value: o.slug }), o.name))) : null,
    h("fieldset", {}, h("legend", {}, t("join.who")),
      field(t("join.civility"), h("select", { name: "civility" }, ["", "madame", "monsieur", "autre"].map((c) =>
        h("option", { value: c }, c ? t(`join.civility.${c}`) : "—")))),
      field(t("join.surname"), input("surname", { required: true, autocomplete: "family-name" })),
      field(t("join.first_names"), input("first_names", { required: true, autocomplete: "given-name" })),
      field(t("join.birth_date"), input("birth_date", { type: "date", autocomplete: "bday" }), t("join.birth_date.hint")),
      field(t("join.postal_address"), h("textarea", { name: "postal_address", rows: 2, maxLength: 300, autocomplete: "street-address" }))),
    field(t("join.document"), h("input", { type: "file", name: "document", accept: "application/pdf,image/jpeg,image/png" }), t("join.document.hint")),
    field(t("join.function"), input("function", { required: true }), t("join.function.hint")),
    field(t("join.department"), input("department")), field(t("join.phone"), input("phone", { type: "tel", autocomplete: "tel" })),
    field(t("join.employee"), input("employee_number")),
    field(t("join.message"), h("textarea", { name: "message", rows: 3, maxLength: 2000 })),
    out, h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("join.send"))));
  return submitting(form, out, async (data) => {
    const identity = Object.fromEntries(["civility", "surname", "first_names", "birth_date", "postal_address", "function",
      "department", "phone", "employee_number"].map((k) => [k, data.get(k).trim()]));
    const also = data.getAll("also").filter((slug) => slug !== data.get("organisation"));  // a request each, all or none
    const made = await api.applyForAccess({ kind: data.get("kind"), organisation: data.get("organisation"), identity,
      message: data.get("message"), ...(also.length && data.get("kind") === "account" ? { also } : {}) });
    const file = data.get("document");
    if (file && file.size) {  // the copy goes with the request of the municipality chosen first
      await api.attachIdentityDocument(made.items.find((i) => i.organisation.slug === data.get("organisation")).id, file);
    }
    await reload();
  });
}

async function rightsForm(organisation, reload) {
  const catalogue = await api.catalogueOf(organisation);
  const out = h("div", {});
  const form = h("form", { novalidate: true, "data-js": "rights-form" },
    h("h2", {}, t("join.rights"), ` · ${catalogue.organisation.name}`),
    field(t("join.role"), h("select", { name: "role" }, SERVICE_ROLES.map((r) => h("option", { value: r }, t(`role.${r}`))))),
    h("fieldset", {}, h("legend", {}, t("join.services")), catalogue.items.map((s) => h("div", { class: "check" },
      h("input", { type: "checkbox", name: "services", value: s.code, id: `svc-${s.code}` }), h("label", { for: `svc-${s.code}` }, s.name)))),
    field(t("join.until"), h("input", { type: "date", name: "until" })),
    out, h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("join.rights.send"))));
  return submitting(form, out, async (data) => {
    const until = data.get("until");
    await api.applyForAccess({ kind: "rights", organisation, role: data.get("role"), services: data.getAll("services"),
      ...(until ? { valid_until: new Date(`${until}T23:59:59`).toISOString() } : {}) });
    await reload();
  });
}

export function requestItem(item, onWithdraw) {
  const open = item.status === "pending" || item.status === "on_hold";  // still to decide
  const waiting = open
    ? h("p", { class: "meta" }, item.deciders.length ? t("join.waiting", { names: item.deciders.join(", ") }) : t("join.nobody")) : null;
  return h("li", { class: "access-item", "data-access": item.id },
    h("p", {}, h("strong", {}, item.what), " · ", h("span", { class: `status ${item.status === "accepted" ? "done" : open ? "open" : "closed"}` }, t(`access.status.${item.status}`))),
    h("p", { class: "meta" }, formatDate(item.created_at), item.decided_by ? ` · ${t("access.by", { name: item.decided_by })}` : ""),
    item.reason ? h("p", {}, item.reason) : null, waiting,
    open && onWithdraw ? h("button", { type: "button", class: "button secondary", onclick: () => onWithdraw(item) }, t("join.withdraw")) : null);
}

export async function render(view, route) {
  const { app } = route;
  add(view, heading(t("join.title")));
  if (!app.session.user) {
    return add(view, h("p", {}, t("join.signin")), h("div", { class: "actions" },
      h("a", { class: "button", href: "/account/login?next=/staff/join", "data-link": "" }, t("account.login")),
      h("a", { class: "button secondary", href: "/account/register", "data-link": "" }, t("account.register"))));
  }
  const body = h("div", {});
  add(view, body);
  const reload = async () => {
    await app.refreshSession();
    const [summary, mine, orgs] = await Promise.all([api.accessSummary(), api.accessRequests({ box: "mine", status: "all" }), api.organisations()]);
    const towns = orgs.items.filter((o) => o.kind === "municipality").map((o) => ({ slug: o.slug, name: language() === "en" ? o.name_en : o.name }));
    const steps = Object.fromEntries(summary.steps.map((s) => [s.step, s.done]));
    const member = summary.held.find((m) => m.role === "member");
    const mineList = h("ul", { class: "cards", "data-js": "my-access" }, mine.items.map((i) => requestItem(i, async (item) => {
      await api.withdrawAccess(item.id);
      await reload();
    })));
    body.replaceChildren(progress(summary.steps));
    if (!steps.email) {
      const sent = h("p", { role: "status" });
      add(body, h("p", {}, t("join.verify")), h("button", { type: "button", class: "button secondary",
        onclick: async () => { await api.resendVerification(); sent.textContent = t("join.resent"); } }, t("join.resend")), sent);
    } else if (!steps.submitted) {
      add(body, applicationForm(towns, reload));
    }
    if (summary.second_factor_missing) {
      add(body, h("p", { class: "notice info" }, t("sf.missing"), " ",
        h("a", { href: "/account/second-factor?next=/staff/join", "data-link": "" }, t("sf.setup"))));
    }
    add(body, h("h2", {}, t("join.mine")), mine.items.length ? mineList : h("p", {}, t("join.none")));
    if (member) add(body, await rightsForm(member.organisation, reload));
  };
  try {
    await reload();
  } catch (error) {
    add(view, errorBox(error));
  }
}
