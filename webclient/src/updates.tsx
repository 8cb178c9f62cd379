/**
 * Registers the service worker and offers a new version: when a new worker has installed while
 * an old one controls the page, a banner asks to reload; the reload lets the new worker take over.
 */
import { render } from "preact";
import { UpdateBanner } from "./views/UpdateBanner";

export async function registerServiceWorker(): Promise<void> {
  if (!("serviceWorker" in navigator) || !import.meta.env.PROD) return;
  const registration = await navigator.serviceWorker.register("./sw.js");
  let accepted = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (accepted) location.reload();
  });
  const offer = (waiting: ServiceWorker) => {
    const host = document.createElement("div");
    document.body.append(host);
    const accept = () => {
      accepted = true;
      waiting.postMessage("wisp:update");
    };
    render(<UpdateBanner onReload={accept} onLater={() => host.remove()} />, host);
  };
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const installing = registration.installing;
    installing?.addEventListener("statechange", () => {
      if (installing.state === "installed" && navigator.serviceWorker.controller) offer(installing);
    });
  });
}
