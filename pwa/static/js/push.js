// Notifications on this phone: asked for only after a tap (never on load), then subscribed with the server's key.
import * as api from "./api.js";

export const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
export const permission = () => (supported() ? Notification.permission : "unsupported");

function keyBytes(base64url) {
  const raw = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

/** The current subscription of this device, or null. Never waits for the service worker to be ready (a first
 *  visit straight to /account would wait for ever while the worker installs): none yet means not subscribed. */
export async function current() {
  if (!supported()) return null;
  const registration = await navigator.serviceWorker.getRegistration("/");
  return registration ? registration.pushManager.getSubscription() : null;
}

/** Asks permission (call it from a tap) and registers this device: for the account, or for one request (token). */
export async function enable(token = null) {
  if (!supported()) throw new Error("unsupported");
  if (await Notification.requestPermission() !== "granted") throw new Error("denied");
  const registration = await navigator.serviceWorker.ready;
  const { public_key: key } = await api.vapidKey();
  const subscription = await registration.pushManager.getSubscription()
    || await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  await api.subscribePush(subscription.toJSON(), token);
  return subscription;
}

export async function disable(token = null) {
  const subscription = await current();
  if (!subscription) return;
  await api.unsubscribePush(subscription.endpoint, token).catch(() => {});
  await subscription.unsubscribe();
}
