/** Settings' list of the nodes the app knows: which one is in use, which answer, and "Reconnect now". */
import { useState } from "preact/hooks";
import type { NodePool, NodeStatus } from "../node-pool";
import "../reach.css";
import { useSource } from "./useSource";

const SOURCE_TEXT: Record<NodeStatus["source"], string> = {
  chosen: "chosen by you",
  site: "served this app",
  bootstrap: "built-in",
  learned: "learned from the ring",
};

function healthText(node: NodeStatus): string {
  if (node.inUse) return node.health === "down" ? "in use, not answering" : "in use";
  if (node.health === "up") return "answers";
  if (node.health === "down") return "not answering";
  return "not checked yet";
}

interface Props {
  pool: NodePool;
  onReconnect: () => Promise<void>;
}

export function NodeList({ pool, onReconnect }: Props) {
  useSource(pool);
  const [busy, setBusy] = useState(false);
  const reconnect = async () => {
    setBusy(true);
    await onReconnect();
    setBusy(false);
  };
  return (
    <div class="node-list">
      <ul aria-label="Known nodes">
        {pool.nodes().map((node) => (
          <li
            key={node.url}
            class="node-row"
            data-url={node.url}
            data-health={node.health}
            data-in-use={node.inUse ? "true" : "false"}
          >
            <span class="node-dot" aria-hidden="true" />
            <span class="node-text">
              <span class="node-url">{node.url}</span>
              <span class="node-meta">
                {SOURCE_TEXT[node.source]} · <strong>{healthText(node)}</strong>
              </span>
            </span>
          </li>
        ))}
      </ul>
      <button type="button" class="secondary" onClick={reconnect} disabled={busy}>
        {busy ? "Reconnecting…" : "Reconnect now"}
      </button>
    </div>
  );
}
