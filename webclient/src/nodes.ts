/** The app's pool of nodes, from storage and the page's address, saved again whenever it learns one. */
import { buildDefaultNodeUrl, initialNodes, proposedNode } from "./config";
import { NodePool } from "./node-pool";
import type { Storage } from "./storage";

const NODES_KEY = "nodes";
/** Where versions before the node list kept the one node chosen in Settings. */
const LEGACY_NODE_KEY = "nodeUrl";

export interface AppNodes {
  pool: NodePool;
  /** The node a `?node=` link proposes, waiting for the user to confirm it. */
  proposed: string | null;
  /** Makes `url` the user's node: saved, preferred, used at once. */
  choose(url: string): Promise<void>;
}

export async function openNodes(storage: Storage): Promise<AppNodes> {
  const fromPage = /^https?:$/.test(location.protocol) ? location.origin : null;
  const nodes = initialNodes({
    stored: await storage.get(NODES_KEY),
    legacyChosen: await storage.get(LEGACY_NODE_KEY),
    origin: fromPage,
    buildDefault: buildDefaultNodeUrl(),
  });
  const pool = new NodePool(nodes, { pageProtocol: location.protocol });
  let saved = JSON.stringify(pool.known());
  pool.subscribe(() => {
    const now = JSON.stringify(pool.known());
    if (now === saved) return;
    saved = now;
    void storage.set(NODES_KEY, pool.known());
  });
  const proposed = proposedNode(location.search);
  return {
    pool,
    proposed: proposed && proposed !== pool.inUse() ? proposed : null,
    async choose(url) {
      pool.choose(url);
      await storage.set(NODES_KEY, pool.known());
    },
  };
}
