/** Side panel: my profile, my address, the nodes I use, notifications, the lock, and moving my identity. */
import { useState } from "preact/hooks";
import type { WispClient } from "../client";
import type { NodePool } from "../node-pool";
import { AddressCard } from "./AddressCard";
import { LockSettings } from "./LockSettings";
import { NodeList } from "./NodeList";
import { NotificationSettings } from "./NotificationSettings";
import { PanelHeader } from "./PanelHeader";
import { ProfileCard } from "./ProfileCard";
import { useServices } from "./services";

export interface SettingsActions {
  /** Saves and switches to the node; answers an error sentence or null. */
  setNodeUrl(url: string): Promise<string | null>;
  /** Probes every known node now and retries at once. */
  reconnect(): Promise<void>;
  exportIdentity(): void;
  /** Replaces this browser's identity with the file's; answers an error sentence or null. */
  importIdentity(file: File): Promise<string | null>;
}

interface Props {
  client: WispClient;
  pool: NodePool;
  actions: SettingsActions;
  onClose: () => void;
}

export function Settings({ client, pool, actions, onClose }: Props) {
  const [url, setUrl] = useState(pool.nodes().find((n) => n.source === "chosen")?.url ?? "");
  const services = useServices();
  const [nodeMessage, setNodeMessage] = useState("");
  const [importError, setImportError] = useState("");

  const saveNode = async (e: Event) => {
    e.preventDefault();
    const error = await actions.setNodeUrl(url);
    setNodeMessage(error ?? "Saved. Connecting to this node.");
  };

  const importFile = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    setImportError((await actions.importIdentity(file)) ?? "");
  };

  return (
    <section class="panel" aria-label="Settings">
      <PanelHeader title="Settings" onClose={onClose} />
      <div class="panel-body">
        <ProfileCard client={client} />
        <section class="card" aria-labelledby="me-heading">
          <h3 id="me-heading">Your address</h3>
          <AddressCard address={client.identity.address} />
        </section>

        <section class="card" aria-labelledby="node-heading">
          <h3 id="node-heading">Nodes</h3>
          <p class="hint">
            Status: <strong data-state={client.connection}>{client.connection}</strong>
            {client.connection !== "connected" && client.lastError ? ` (${client.lastError})` : ""}
          </p>
          <NodeList pool={pool} onReconnect={actions.reconnect} />
          <form class="form" onSubmit={saveNode}>
            <label for="node-url">Your own node</label>
            <input
              id="node-url"
              type="url"
              placeholder="https://node.example.org"
              value={url}
              spellcheck={false}
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
            {nodeMessage && (
              <p class="hint" role="status">
                {nodeMessage}
              </p>
            )}
            <button type="submit" class="primary">
              Use this node
            </button>
          </form>
        </section>

        {services && <NotificationSettings notifier={services.notifier} />}
        {services && <LockSettings lock={services.lock} />}

        <section class="card" aria-labelledby="id-heading">
          <h3 id="id-heading">Identity</h3>
          <p class="hint">
            The identity file holds your secret key: whoever has it can read your messages. Keep it safe.
          </p>
          <div class="button-row">
            <button type="button" class="secondary" onClick={actions.exportIdentity}>
              Export identity
            </button>
            <label class="secondary file-button">
              Import identity
              <input
                type="file"
                accept=".json,application/json"
                class="visually-hidden"
                onChange={importFile}
              />
            </label>
          </div>
          {importError && (
            <p class="error" role="alert">
              {importError}
            </p>
          )}
        </section>
      </div>
    </section>
  );
}
