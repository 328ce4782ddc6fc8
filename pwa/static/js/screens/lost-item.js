// A lost (or found) object's declaration: what was declared, and for a lost one the objects found that may be it.
import * as api from "../api.js";
import { t } from "../i18n.js";
import * as outbox from "../outbox.js";
import { downscale } from "../photos.js";
import { add, errorBox, field, h, heading, statusBadge } from "../ui.js";
import { colourName, foundCard, when } from "./lost-common.js";

const CLAIM_STATES = { pending: "submitted", accepted: "acknowledged", refused: "rejected", handed_over: "resolved" };

function claimForm(ref, candidate, token, done) {
  const answer = h("textarea", { name: "answer", required: true, maxLength: 2000 });
  const proof = h("input", { type: "file", name: "photo", accept: "image/*" });
  const out = h("div", {});
  const form = h("form", { novalidate: true },
    field(t("lost.claim.answer"), answer, t("lost.claim.hint")),
    field(t("lost.claim.proof"), proof, t("lost.claim.proof_hint")), out,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("lost.claim.send"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (answer.value.trim().length < 3) return out.replaceChildren(errorBox({ field: "answer", message: t("error.required") }, form));
    try {
      const photo = proof.files.length ? await downscale(proof.files[0], 2048) : null;
      await api.claimFound(ref, candidate.ref, answer.value.trim(), token, photo);
      done();
    } catch (error) {
      out.replaceChildren(errorBox(error, form));
    }
  });
  return form;
}

export async function render(view, { app, params }) {
  const ref = params[0];
  const known = (await outbox.remembered()).find((r) => r.ref === ref);
  let body;
  try {
    body = await api.lostItem(ref, known?.token);
  } catch (error) {
    return add(view, heading(ref), errorBox(error));
  }
  const item = body.item;
  const reload = () => app.navigate(location.pathname, { replace: true, state: { keepFocus: true } });
  add(view, heading(t(item.side === "lost" ? "lost.title.lost" : "lost.title.found", { ref })),
    h("p", {}, statusBadge(body.status), " ", h("a", { href: `/requests/${encodeURIComponent(ref)}`, "data-link": "" }, t("lost.timeline"))),
    h("dl", { class: "facts" },
      h("dt", {}, t("lost.category")), h("dd", {}, t(`category.${item.category}`)),
      item.colour ? [h("dt", {}, t("lost.colour")), h("dd", {}, colourName(item.colour))] : null,
      item.brand ? [h("dt", {}, t("lost.brand")), h("dd", {}, item.brand)] : null,
      h("dt", {}, t("lost.when")), h("dd", {}, item.when_from === item.when_to ? when(item.when_to) : `${when(item.when_from)} – ${when(item.when_to)}`),
      item.marks ? [h("dt", {}, t("lost.marks")), h("dd", {}, item.marks, h("span", { class: "meta" }, ` (${t("lost.private")})`))] : null),
    item.description ? h("p", {}, item.description) : null);
  if (item.side !== "lost") return;
  const claimed = new Map(body.claims.map((c) => [c.found, c]));
  add(view, h("h2", {}, t("lost.candidates")));
  if (!body.candidates.length) return add(view, h("p", { class: "info-box" }, t("lost.no_candidates")));
  add(view, h("p", {}, t("lost.candidates.intro")), h("ul", { class: "cards" }, body.candidates.map((c) => {
    const claim = claimed.get(c.ref);
    const panel = h("div", {});
    return foundCard(c,
      claim ? h("p", {}, statusBadge(CLAIM_STATES[claim.state]), " ", t(`lost.claim.${claim.state}`))
        : item.open ? h("button", { type: "button", class: "button", onclick: () => panel.replaceChildren(claimForm(ref, c, known?.token, reload)) },
          t("lost.claim.mine")) : null,
      panel);
  })));
}
