// The only module that talks to the server. No DOM here: the service worker imports it too.

/** An answer in the error shape of API.md: {status, code, message, field}. */
export class ApiError extends Error {
  constructor(status, code, message, field = null, params = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
    this.params = params;  // the numbers of the message (a limit, a count), for the app's own text of the code
  }

  static async from(res) {
    try {
      const { error } = await res.json();
      return new ApiError(res.status, error.code, error.message, error.field, error.params);
    } catch (notJson) {
      return new ApiError(res.status, "http_error", res.statusText || `HTTP ${res.status}`);
    }
  }
}

/** The network failed (offline, timeout, server unreachable): worth trying again later. */
export class NetworkError extends Error {
  constructor(message = "network") {
    super(message);
    this.code = "network";
  }
}

let csrfToken = null;
let language = "fr";

export function setLanguage(lang) {
  language = lang;
}

function headers(extra = {}) {
  return { "Accept-Language": language, ...(csrfToken ? { "X-CSRF-Token": csrfToken } : {}), ...extra };
}

async function call(method, path, { json, form, headers: extra, retried = false } = {}) {
  if (method !== "GET" && !csrfToken) await session();
  const init = { method, credentials: "same-origin", headers: headers(extra) };
  if (json !== undefined) {
    init.body = JSON.stringify(json);
    init.headers["Content-Type"] = "application/json";
  } else if (form) {
    init.body = form;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (offline) {
    throw new NetworkError();
  }
  if (res.ok) {  // any 2xx: 201 with a body, 202 or 204 without one
    const text = res.status === 204 ? "" : await res.text();
    return text ? JSON.parse(text) : null;
  }
  const error = await ApiError.from(res);
  if (error.code === "csrf_failed" && !retried) {  // the session changed in another tab: fetch a new token
    await session();
    return call(method, path, { json, form, headers: extra, retried: true });
  }
  throw error;
}

const q = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")).toString();

export async function session() {
  const body = await call("GET", "/api/v1/session");
  csrfToken = body.csrf_token;
  return body;
}

export const config = () => call("GET", "/api/v1/config");
export async function login(email, password, totp) {
  const body = await call("POST", "/api/v1/auth/login", { json: { email, password, ...(totp ? { totp } : {}) } });
  csrfToken = body.csrf_token;  // the token is bound to the session: a sign-in makes a new one
  return body;
}
export async function logout() {
  await call("POST", "/api/v1/auth/logout", { json: {} });
  csrfToken = null;  // bound to the session that just ended: the next change asks for a new one
}
export const register = (name, email, password) => call("POST", "/api/v1/auth/register", { json: { name, email, password } });
export const verifyEmail = (token) => call("POST", "/api/v1/auth/verify-email", { json: { token } });
export const confirmEmailChange = (token) => call("POST", "/api/v1/auth/email-change/confirm", { json: { token } });
export const askPasswordReset = (email) => call("POST", "/api/v1/auth/password-reset", { json: { email } });
export const resetPassword = (token, password) => call("POST", "/api/v1/auth/password-reset/confirm", { json: { token, password } });
export const updateMe = (changes) => call("PATCH", "/api/v1/me", { json: changes });
export const changeEmail = (newEmail, password) => call("POST", "/api/v1/me/email", { json: { new_email: newEmail, password } });
export const changePassword = (current, next) => call("POST", "/api/v1/me/password", { json: { current_password: current, new_password: next } });
export const deleteAccount = (password) => call("DELETE", "/api/v1/me", { json: { password } });
export const startExport = () => call("POST", "/api/v1/me/exports", { json: {} });
export const myExports = () => call("GET", "/api/v1/me/exports");
export const getExport = (id) => call("GET", `/api/v1/me/exports/${Number(id)}`);
export const services = (lat, lon) => call("GET", `/api/v1/services?${q({ lat, lon })}`);
export const places = (text) => call("GET", `/api/v1/places?${q({ q: text })}`);
export const organisationAt = (lat, lon) => call("GET", `/api/v1/organisations/at?${q({ lat, lon })}`);
export const nearby = (lat, lon, service) => call("GET", `/api/v1/requests/nearby?${q({ lat, lon, service })}`);
export const publicRequests = (bbox, status, cursor) => call("GET", `/api/v1/requests?${q({ bbox, status, cursor, limit: 200 })}`);
export const myRequests = (cursor) => call("GET", `/api/v1/me/requests?${q({ cursor })}`);
export const track = (token) => call("GET", `/api/v1/track/${encodeURIComponent(token)}`);

const tokenHeader = (token) => (token ? { "X-Tracking-Token": token } : {});
export const getRequest = (ref, token) => call("GET", `/api/v1/requests/${encodeURIComponent(ref)}`, { headers: tokenHeader(token) });
export const withdraw = (ref, token) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/withdraw`, { json: {}, headers: tokenHeader(token) });
export const reopen = (ref, comment, token) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/reopen`, { json: { comment }, headers: tokenHeader(token) });
export const comment = (ref, text, token) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/comments`, { json: { comment: text }, headers: tokenHeader(token) });
export const support = (ref) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/support`, { json: {} });

export function addPhotos(ref, blobs, token, role = "report") {
  const form = new FormData();
  form.append("role", role);
  blobs.forEach((blob, i) => form.append("photo", blob, `photo-${i + 1}.jpg`));
  return call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/photos`, { form, headers: tokenHeader(token) });
}

/**
 * Sends a new request as multipart, with an Idempotency-Key so that a resend returns the same request.
 * Uses XMLHttpRequest where it exists (a page) for upload progress, fetch otherwise (the service worker).
 */
/** `files`: {question code: File}, the answers that are files (a proof of address), sent as `file.<code>`. */
export async function createRequest(fields, photos, key, onProgress = () => {}, files = {}) {
  if (!csrfToken) await session();
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === "") continue;
    form.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  photos.forEach((blob, i) => form.append("photo", blob, `photo-${i + 1}.jpg`));
  for (const [code, file] of Object.entries(files || {})) form.append(`file.${code}`, file, file.name || code);
  const extra = { "Idempotency-Key": key };
  if (typeof XMLHttpRequest === "undefined") return call("POST", "/api/v1/requests", { form, headers: extra });
  const send = () => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/requests");
    for (const [name, value] of Object.entries(headers(extra))) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = xhr.ontimeout = () => reject(new NetworkError());
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (notJson) { /* an HTML error page from a proxy */ }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body);
      if (xhr.status === 0 || xhr.status >= 502 && !body) return reject(new NetworkError());
      const e = body?.error || {};
      reject(new ApiError(xhr.status, e.code || "http_error", e.message || `HTTP ${xhr.status}`, e.field, e.params));
    };
    xhr.timeout = 120000;
    xhr.send(form);
  });
  try {
    return await send();
  } catch (error) {
    if (error.code !== "csrf_failed") throw error;
    await session();
    return send();
  }
}

export const vapidKey = () => call("GET", "/api/v1/push/vapid-public-key");
export const subscribePush = (subscription, token) => call("POST", "/api/v1/push/subscriptions", { json: subscription, headers: tokenHeader(token) });
export const unsubscribePush = (endpoint, token) => call("DELETE", "/api/v1/push/subscriptions", { json: { endpoint }, headers: tokenHeader(token) });
export const notificationPrefs = () => call("GET", "/api/v1/me/notifications");
export const setNotificationPrefs = (prefs) => call("PUT", "/api/v1/me/notifications", { json: { prefs } });
export const messages = (cursor) => call("GET", `/api/v1/me/messages?${q({ cursor })}`);
export const readMessage = (id) => call("POST", `/api/v1/me/messages/${Number(id)}/read`, { json: {} });
export const readAllMessages = () => call("POST", "/api/v1/me/messages/read", { json: {} });

export const staffRequests = (params) => call("GET", `/api/v1/staff/requests?${q(params)}`);
export const procedures = (filters) => call("GET", `/api/v1/procedures?${q(filters)}`);
export const slots = (org, code, from, days = 14) => call("GET", `/api/v1/procedures/${encodeURIComponent(org)}/${encodeURIComponent(code)}/slots?${q({ from, days })}`);
export const cancelAppointment = (ref, token) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/appointment/cancel`, { json: {}, headers: tokenHeader(token) });
export const moveAppointment = (ref, appointment, token) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/appointment/move`, { json: { appointment }, headers: tokenHeader(token) });
export const agendas = () => call("GET", "/api/v1/staff/agendas");
export const agendaDays = (id, from, days) => call("GET", `/api/v1/staff/agendas/${Number(id)}?${q({ from, days })}`);
export const blockSlot = (id, start, blocked) => call("POST", `/api/v1/staff/agendas/${Number(id)}/slots`, { json: { start, blocked } });
export const markBooking = (id, status) => call("POST", `/api/v1/staff/bookings/${Number(id)}`, { json: { status } });
export const editableProcedures = () => call("GET", "/api/v1/staff/procedures");
export const serviceQuestions = (org, code) => call("GET", `/api/v1/organisations/${encodeURIComponent(org)}/services/${encodeURIComponent(code)}/questions`);
export const saveQuestions = (org, code, attributes) => call("PATCH", `/api/v1/organisations/${encodeURIComponent(org)}/services/${encodeURIComponent(code)}`, { json: { attributes } });
export const procedure = (org, code) => call("GET", `/api/v1/procedures/${encodeURIComponent(org)}/${encodeURIComponent(code)}`);
export const catalogueOf = (organisation) => call("GET", `/api/v1/services?${q({ organisation })}`);
export const postEvent = (ref, event) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/events`, { json: event });
export const staffPeople = (organisation) => call("GET", `/api/v1/staff/people?${q({ organisation })}`);
export const staffBulk = (change) => call("POST", "/api/v1/staff/requests/bulk", { json: change });
export const moderate = (ref, body) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/moderation`, { json: body });
export const staffStats = (params) => call("GET", `/api/v1/staff/stats?${q(params)}`);
export const moveRequest = (ref, move) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/move`, { json: move });
export const splitRequest = (ref, part) => call("POST", `/api/v1/requests/${encodeURIComponent(ref)}/split`, { json: part });
export const lostItem = (ref, token) => call("GET", `/api/v1/lostfound/${encodeURIComponent(ref)}`, { headers: tokenHeader(token) });
export function claimFound(ref, found, answer, token, photo = null) {
  const path = `/api/v1/lostfound/${encodeURIComponent(ref)}/claims`;
  if (!photo) return call("POST", path, { json: { found, answer }, headers: tokenHeader(token) });
  const form = new FormData();
  form.append("found", found);
  form.append("answer", answer);
  form.append("photo", photo, "proof.jpg");
  return call("POST", path, { form, headers: tokenHeader(token) });
}
export const moveFound = (ref, storagePlace) => call("PATCH", `/api/v1/lostfound/${encodeURIComponent(ref)}`, { json: { storage_place: storagePlace } });
export const recordFound = (found) => call("POST", "/api/v1/lostfound/found", { json: Object.fromEntries(Object.entries(found).filter(([, v]) => v !== undefined && v !== "")) });
export const organisations = () => call("GET", "/api/v1/organisations");
export const foundObjects = (params) => call("GET", `/api/v1/lostfound/found?${q(params)}`);
export const lostRegister = (organisation, due) => call("GET", `/api/v1/lostfound/register?${q({ organisation, due })}`);
export const lostPairs = (organisation) => call("GET", `/api/v1/lostfound/candidates?${q({ organisation })}`);
export const lostClaims = (organisation, state) => call("GET", `/api/v1/lostfound/claims?${q({ organisation, state })}`);
export const decideClaim = (id, accept, note) => call("POST", `/api/v1/lostfound/claims/${Number(id)}/decision`, { json: { accept, note } });
export const handOver = (id, identity) => call("POST", `/api/v1/lostfound/claims/${Number(id)}/handover`, { json: { identity } });
export const lostOutcome = (ref, outcome) => call("POST", `/api/v1/lostfound/${encodeURIComponent(ref)}/outcome`, { json: { outcome } });
export const open311Keys = (organisation) => call("GET", `/api/v1/organisations/${encodeURIComponent(organisation)}/open311-keys`);
export const createOpen311Key = (organisation, name) => call("POST", `/api/v1/organisations/${encodeURIComponent(organisation)}/open311-keys`, { json: { name } });
export const revokeOpen311Key = (organisation, id) => call("DELETE", `/api/v1/organisations/${encodeURIComponent(organisation)}/open311-keys/${Number(id)}`);
export const auditTrail = (params) => call("GET", `/api/v1/audit?${q(params)}`);
export const savedFilters = () => call("GET", "/api/v1/staff/filters");
export const saveFilter = (name, query) => call("POST", "/api/v1/staff/filters", { json: { name, query } });
export const deleteFilter = (id) => call("DELETE", `/api/v1/staff/filters/${Number(id)}`);
export const secondFactorEnrolment = () => call("POST", "/api/v1/me/second-factor/enrolment", { json: {} });
export const confirmSecondFactor = (enrolment, code) => call("POST", "/api/v1/me/second-factor",
  { json: { secret: enrolment.secret, enrolment: enrolment.enrolment, code } });
export const secondFactorState = () => call("GET", "/api/v1/me/second-factor");
export const renewRecoveryCodes = () => call("POST", "/api/v1/me/second-factor/recovery-codes", { json: {} });
export const resendVerification = () => call("POST", "/api/v1/auth/resend-verification", { json: {} });
export const accessSummary = () => call("GET", "/api/v1/access/summary");
export const accessRequests = (params) => call("GET", `/api/v1/access/requests?${q(params)}`);
export const accessExportUrl = (format, params) => `/api/v1/access/requests.${format}?${q(params)}`;
export const applyForAccess = (body) => call("POST", "/api/v1/access/requests", { json: body });
export const decideAccess = (id, decision) => call("POST", `/api/v1/access/requests/${Number(id)}/decision`, { json: decision });
export const withdrawAccess = (id) => call("POST", `/api/v1/access/requests/${Number(id)}/withdraw`, { json: {} });
export const idleAccounts = (organisation) => call("GET", `/api/v1/access/organisations/${encodeURIComponent(organisation)}/idle`);
export const endMembership = (organisation, userId, reason) => call("POST", `/api/v1/access/organisations/${encodeURIComponent(organisation)}/people/${Number(userId)}/end`, { json: { reason } });
export const accessPeople = (organisation) => call("GET", `/api/v1/access/organisations/${encodeURIComponent(organisation)}/people`);
export const nameStaff = (organisation, body) => call("POST", `/api/v1/access/organisations/${encodeURIComponent(organisation)}/names`, { json: body });
export function attachIdentityDocument(id, file) {
  const form = new FormData();
  form.append("document", file);
  return call("POST", `/api/v1/access/requests/${Number(id)}/document`, { form });
}
export const giveGrant = (organisation, userId, grant) => call("POST", `/api/v1/access/organisations/${encodeURIComponent(organisation)}/people/${Number(userId)}/grants`, { json: grant });
export const changeGrant = (id, validUntil) => call("PATCH", `/api/v1/access/grants/${Number(id)}`, { json: { valid_until: validUntil } });
export const removeGrant = (id, reason) => call("DELETE", `/api/v1/access/grants/${Number(id)}`, { json: { reason } });
export const legalPage = (kind, organisation, lang) => call("GET", `/api/v1/pages/${encodeURIComponent(kind)}?${q({ organisation, lang })}`);
export const saveLegalPage = (organisation, kind, page) => call("PUT", `/api/v1/organisations/${encodeURIComponent(organisation)}/pages/${encodeURIComponent(kind)}`, { json: page });
export const resetLegalPage = (organisation, kind, lang) => call("DELETE", `/api/v1/organisations/${encodeURIComponent(organisation)}/pages/${encodeURIComponent(kind)}?${q({ lang })}`);
export const retentionRules = () => call("GET", "/api/v1/privacy/retention");
export const findPerson = (organisation, email) => call("GET", `/api/v1/privacy/people?${q({ organisation, email })}`);
export const anonymisePerson = (ask) => call("POST", "/api/v1/privacy/people/anonymise", { json: ask });
export async function exportPerson(ask) {
  // A ZIP: fetched with the CSRF header like any change (the reason is kept in the audit), then saved by the browser.
  const res = await fetch("/api/v1/privacy/people/export", { method: "POST", credentials: "same-origin", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(ask) });
  if (!res.ok) throw await ApiError.from(res);
  return res.blob();
}
export const trackExportUrl = (token) => `/api/v1/track/${encodeURIComponent(token)}/export`;
