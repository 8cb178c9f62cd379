/**
 * Which nodes the app may use, in the order it prefers them (pure, no I/O): the node the user
 * chose, the node that served the app, the build's bootstrap node, then nodes learned from the
 * ring's GET /v1/peers. node-pool.ts probes and switches between them.
 */
import { parseApiUrl } from "@wisp/lib";

export type NodeSource = "chosen" | "site" | "bootstrap" | "learned";

export interface KnownNode {
  url: string;
  source: NodeSource;
  /** The node's ring id once it answered /v1/node; learned nodes have it from the start. */
  id?: string;
}

const RANK: Record<NodeSource, number> = { chosen: 0, site: 1, bootstrap: 2, learned: 3 };
/** Learned nodes kept at most: enough to find a ring again, small enough to probe. */
export const MAX_LEARNED = 16;

/** Adds or updates a node; one entry per URL, keeping its best-ranked source. */
export function addNode(list: readonly KnownNode[], node: KnownNode): KnownNode[] {
  const existing = list.find((n) => n.url === node.url);
  if (!existing) return sortNodes(capLearned([...list, node]));
  const source = RANK[node.source] < RANK[existing.source] ? node.source : existing.source;
  const merged = { ...existing, source, id: node.id ?? existing.id };
  return sortNodes(list.map((n) => (n === existing ? merged : n)));
}

export function removeSource(list: readonly KnownNode[], source: NodeSource): KnownNode[] {
  return list.filter((n) => n.source !== source);
}

/** Nodes the page may call: an https page cannot reach a plain-http node (mixed content) unless it is loopback. */
export function reachableFrom(pageProtocol: string, url: string): boolean {
  if (pageProtocol !== "https:") return true;
  const parsed = new URL(url);
  if (parsed.protocol === "https:") return true;
  return ["localhost", "127.0.0.1", "[::1]"].includes(parsed.hostname);
}

/** The list as stored in IndexedDB, checked on the way back in: storage is not trusted to hold our shape. */
export function parseStoredNodes(value: unknown): KnownNode[] {
  if (!Array.isArray(value)) return [];
  const out: KnownNode[] = [];
  for (const entry of value.slice(0, 64)) {
    if (typeof entry !== "object" || entry === null) continue;
    const { url, source, id } = entry as Record<string, unknown>;
    const parsed = typeof url === "string" ? parseApiUrl(url) : null;
    if (!parsed || typeof source !== "string" || !(source in RANK)) continue;
    const node: KnownNode = { url: parsed, source: source as NodeSource };
    if (typeof id === "string") node.id = id.slice(0, 64);
    out.push(node);
  }
  return sortNodes(capLearned(out));
}

function sortNodes(list: KnownNode[]): KnownNode[] {
  return [...list].sort((a, b) => RANK[a.source] - RANK[b.source]);
}

function capLearned(list: KnownNode[]): KnownNode[] {
  let learned = 0;
  return list.filter((n) => n.source !== "learned" || ++learned <= MAX_LEARNED);
}
