// Reports waiting for the network. Shared by the page and the service worker (Background Sync): no DOM here.
import * as api from "./api.js";
import * as store from "./store.js";

const channel = typeof BroadcastChannel !== "undefined" ? new BroadcastChannel("guichet-outbox") : null;

/** Keeps a whole report, photos included, until it is sent; the key makes every resend the same request. */
export async function enqueue({ fields, photos, files = {}, key, label }) {
  const item = { id: key, key, fields, photos, files, label, state: "waiting", queued_at: new Date().toISOString() };
  await store.put("outbox", item);
  channel?.postMessage({ type: "queued" });
  return item;
}

/** Keeps a staff member's change to a request (its steps in order, and an "after" photo) until it is sent. */
export async function enqueueChange({ ref, steps, photo = null, label }) {
  const item = { id: `change-${ref}-${Date.now()}`, kind: "change", ref, steps, photo, label, state: "waiting",
    queued_at: new Date().toISOString() };
  await store.put("outbox", item);
  channel?.postMessage({ type: "queued" });
  return item;
}

export const items = () => store.all("outbox");

export async function discard(id) {
  await store.remove("outbox", id);
  channel?.postMessage({ type: "discarded" });
}

/** Remembers a request made on this device, with its tracking token when its author is anonymous. */
export async function remember(created, label = "") {
  await store.put("tracked", {
    ref: created.ref, token: created.tracking_token || null, label: label || created.service?.name || "",
    created_at: created.created_at,
  });
}

export const remembered = () => store.all("tracked");

/** Sends what waits, oldest first; one sender at a time across the page and the service worker. */
export function flushOutbox() {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request("guichet-outbox", flushNow) : flushNow();
}

async function flushNow() {
  const sent = [];
  const waiting = (await store.all("outbox")).filter((i) => i.state !== "failed");
  waiting.sort((a, b) => a.queued_at.localeCompare(b.queued_at));
  for (const item of waiting) {
    try {
      if (item.kind === "change") {
        await sendChange(item);
        sent.push({ ref: item.ref });
        continue;
      }
      const created = await api.createRequest(item.fields, item.photos, item.key, undefined, item.files);
      await remember(created, item.label);
      await store.remove("outbox", item.id);
      sent.push(created);
    } catch (error) {
      if (error.code === "network" || error.status >= 500 || error.status === 429) break;  // later, as it was
      await store.put("outbox", { ...item, state: "failed", error: { code: error.code, message: error.message, field: error.field, params: error.params } });
    }
  }
  if (sent.length) channel?.postMessage({ type: "sent", refs: sent.map((r) => r.ref) });
  return sent;
}

/** Each step is kept as done as soon as it is: a change cut by the network resumes where it stopped. */
async function sendChange(item) {
  let current = item;
  if (current.photo) {
    await api.addPhotos(current.ref, [current.photo], null, "after");
    current = { ...current, photo: null };
    await store.put("outbox", current);
  }
  while (current.steps.length) {
    await api.postEvent(current.ref, current.steps[0]);
    current = { ...current, steps: current.steps.slice(1) };
    await store.put("outbox", current);
  }
  await store.remove("outbox", current.id);
}

export function onChange(listener) {
  channel?.addEventListener("message", (e) => listener(e.data));
}
