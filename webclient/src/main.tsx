/** The composition root: storage, identity (or the lock screen), nodes, client, notifier, then the UI. */
import {
  DEFAULT_NODE_URL,
  encodeIdentityFile,
  parseApiUrl,
  parseIdentityFileAsync,
  webCrypto,
} from "@wisp/lib";
import { render } from "preact";
import { WispClient } from "./client";
import { openIndexedDbStorage } from "./db";
import { IDENTITY_KEY, loadIdentity } from "./lock";
import { openNodes } from "./nodes";
import { browserNotifyHost, Notifier } from "./notifier";
import { userTiming } from "./timing";
import "./style.css";
import { registerServiceWorker } from "./updates";
import { App } from "./views/App";
import { LockScreen } from "./views/LockScreen";
import { ServicesContext } from "./views/services";

/**
 * Why the app does not start where WebCrypto lacks Ed25519 or X25519: it carries no noble
 * fallback for them (docs/webclient.md, "Size"). Current Chromium, Firefox and Safari have both.
 */
const NO_WEBCRYPTO =
  "this browser has no WebCrypto Ed25519 and X25519, which Wisp needs: use a current browser";

/** Shows the lock screen until a passphrase opens the stored key. */
function askPassphrase(root: HTMLElement) {
  return (tryPassphrase: (passphrase: string) => Promise<boolean>) =>
    new Promise<void>((resolve) => {
      const onUnlock = async (passphrase: string) => {
        const opened = await tryPassphrase(passphrase);
        if (opened) resolve();
        return opened;
      };
      render(<LockScreen onUnlock={onUnlock} />, root);
    });
}

async function boot(root: HTMLElement): Promise<void> {
  const crypto = await webCrypto();
  if (!crypto) throw new Error(NO_WEBCRYPTO);
  const storage = await openIndexedDbStorage();
  const { identity, firstStart, lock } = await loadIdentity(storage, askPassphrase(root), crypto);
  const nodes = await openNodes(storage);
  const { pool } = nodes;
  const client = await WispClient.load({
    identity,
    api: pool,
    storage,
    online: () => navigator.onLine,
    timing: userTiming(),
    crypto,
    visible: () => document.visibilityState === "visible",
  });
  document.addEventListener("visibilitychange", () => client.reportRead());
  const addFromLink = location.hash.startsWith("#add=") ? location.hash : undefined;
  if (addFromLink) history.replaceState(null, "", location.pathname + location.search);
  // A node answering again, or another taking over, cuts the client's backoff short.
  pool.subscribe(() => client.nudge());
  addEventListener("online", () => {
    client.nudge();
    void pool.reconnect();
  });
  addEventListener("offline", () => client.nudge());
  pool.start();
  client.start();
  const notifier = new Notifier(client, storage, browserNotifyHost());
  await notifier.load();

  const actions = {
    async setNodeUrl(text: string) {
      const url = parseApiUrl(text);
      if (!url) return `Enter an http:// or https:// URL, e.g. ${DEFAULT_NODE_URL}.`;
      await nodes.choose(url);
      client.nudge();
      return null;
    },
    async reconnect() {
      client.nudge();
      await pool.reconnect();
      client.nudge();
    },
    exportIdentity() {
      const text = encodeIdentityFile(identity, Object.values(client.state.contacts));
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
      link.download = `wisp-identity-${identity.address.slice(0, 8)}.json`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    },
    async importIdentity(file: File) {
      const parsed = await parseIdentityFileAsync(await file.text(), crypto);
      if (!parsed.ok) return `Cannot import: ${parsed.error}.`;
      const imported = parsed.file.identity;
      if (imported.address === identity.address) return "This browser already uses that identity.";
      const confirmed = confirm(
        "Replace this browser's identity with the imported one? Its chats here will be removed.",
      );
      if (!confirmed) return null;
      client.stop();
      await storage.clearHistory();
      await storage.set(IDENTITY_KEY, imported.seed);
      const now = Date.now();
      for (const c of parsed.file.contacts) await storage.putContact({ ...c, createdAt: now, unread: 0 });
      location.reload();
      return null;
    },
  };

  render(
    <ServicesContext.Provider value={{ notifier, lock, reconnect: actions.reconnect }}>
      <App
        client={client}
        nodes={nodes}
        firstStart={firstStart}
        actions={actions}
        addFromLink={addFromLink}
      />
    </ServicesContext.Provider>,
    root,
  );
}

const root = document.getElementById("app");
// Offline use and updates: the app works without it (no worker in dev, or a browser without one).
registerServiceWorker().catch(() => {});
if (root) {
  boot(root).catch((err: unknown) => {
    root.textContent = `Wisp could not start: ${err instanceof Error ? err.message : String(err)}`;
  });
}
