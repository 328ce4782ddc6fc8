// Client-side routes: every path is a real URL the server answers with the shell (links in e-mails work).
const ROUTES = [
  [/^\/$/, "home", () => import("./screens/home.js")],
  [/^\/report$/, "report", () => import("./screens/report.js")],
  [/^\/requests$/, "requests", () => import("./screens/requests.js")],
  [/^\/requests\/([^/]+)$/, "requests", () => import("./screens/request.js")],
  [/^\/track\/([^/]+)$/, "requests", () => import("./screens/request.js")],
  [/^\/map$/, "map", () => import("./screens/map.js")],
  [/^\/procedures$/, "home", () => import("./screens/procedures.js")],
  [/^\/procedures\/([^/]+)\/([^/]+)$/, "home", () => import("./screens/procedure.js")],
  [/^\/procedures\/([^/]+)\/([^/]+)\/form$/, "home", () => import("./screens/procedure-form.js")],
  [/^\/lost\/([^/]+)$/, "requests", () => import("./screens/lost-item.js")],
  [/^\/found$/, "home", () => import("./screens/found-list.js")],
  [/^\/agent\/lostfound$/, "agent", () => import("./screens/agent-lostfound.js")],
  [/^\/messages$/, "requests", () => import("./screens/messages.js")],
  [/^\/agent$/, "agent", () => import("./screens/agent-queue.js")],
  [/^\/agent\/new$/, "agent", () => import("./screens/agent-new.js")],
  [/^\/agent\/map$/, "agent", () => import("./screens/agent-map.js")],
  [/^\/agent\/field$/, "agent", () => import("./screens/agent-field.js")],
  [/^\/agent\/audit$/, "agent", () => import("./screens/agent-audit.js")],
  [/^\/agent\/access$/, "agent", () => import("./screens/agent-access.js")],
  [/^\/agent\/people$/, "agent", () => import("./screens/agent-people.js")],
  [/^\/pages\/([a-z]+)$/, "", () => import("./screens/pages.js")],
  [/^\/agent\/stats$/, "agent", () => import("./screens/agent-stats.js")],
  [/^\/agent\/agendas$/, "agent", () => import("./screens/agent-agendas.js")],
  [/^\/agent\/questions$/, "agent", () => import("./screens/agent-questions.js")],
  [/^\/agent\/questions\/([^/]+)\/([^/]+)$/, "agent", () => import("./screens/agent-questions.js")],
  [/^\/agent\/pages$/, "agent", () => import("./screens/agent-pages.js")],
  [/^\/agent\/privacy$/, "agent", () => import("./screens/agent-privacy.js")],
  [/^\/staff\/join$/, "account", () => import("./screens/staff-join.js")],
  [/^\/account\/second-factor$/, "account", () => import("./screens/second-factor.js")],
  [/^\/agent\/open311$/, "agent", () => import("./screens/agent-open311.js")],
  [/^\/agent\/requests\/([^/]+)$/, "agent", () => import("./screens/agent-request.js")],
  [/^\/account(?:\/(login|register|reset|verify|confirm-email|forgot))?$/, "account", () => import("./screens/account.js")],
];

/** `next` when it is a path of this site, else `fallback`: a `?next=` never leads a person away (open redirect). */
export function safePath(next, fallback) {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return fallback;
  const url = new URL(next, location.origin);  // also folds tabs and newlines, as the browser would
  return url.origin === location.origin && !url.pathname.startsWith("//") ? url.pathname + url.search + url.hash : fallback;
}

let renderScreen = null;
let cleanup = null;

export function start(render) {
  renderScreen = render;
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download") || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const url = new URL(link.href);
    if (url.origin !== location.origin || !match(url.pathname)) return;
    event.preventDefault();
    navigate(url.pathname + url.search);
  });
  addEventListener("popstate", () => show());
  return show();
}

function match(path) {
  for (const [pattern, tab, load] of ROUTES) {
    const m = path.match(pattern);
    if (m) return { tab, load, params: m.slice(1).map((p) => (p ? decodeURIComponent(p) : p)) };
  }
  return null;
}

export function navigate(path, { replace = false, state = null } = {}) {
  if (replace) history.replaceState(state, "", path);
  else history.pushState(state, "", path);
  return show();
}

let shown = 0;

async function show() {
  const mine = ++shown;  // a later navigation wins over a screen still being drawn
  const found = match(location.pathname) || { tab: "", load: () => import("./screens/missing.js"), params: [] };
  if (typeof cleanup === "function") cleanup();
  cleanup = null;
  for (const tab of document.querySelectorAll("[data-tab]")) {
    if (tab.dataset.tab === found.tab) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  const screen = await found.load();
  if (mine !== shown) return;
  const done = await renderScreen(screen, {
    params: found.params, query: new URLSearchParams(location.search), state: history.state,
  });
  if (mine !== shown) {  // left while it was drawn: its map and timers end now, not at the next move
    if (typeof done === "function") done();
    return;
  }
  cleanup = done;
}
