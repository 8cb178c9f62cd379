/**
 * Where the app finds its nodes at start: the node the user chose, the page's own origin (a node
 * that serves the app), the build-time bootstrap (VITE_WISP_NODE), and what it learned before.
 * A `?node=URL` link only proposes a node: it is used after the user confirms it.
 */
import { DEFAULT_NODE_URL, parseApiUrl } from "@wisp/lib";
import { addNode, type KnownNode, parseStoredNodes } from "./node-list";

export function buildDefaultNodeUrl(): string {
  const fromBuild = import.meta.env?.VITE_WISP_NODE;
  return parseApiUrl(fromBuild ?? "") ?? DEFAULT_NODE_URL;
}

export interface NodeSources {
  /** What storage holds under "nodes" (node-list.ts's shape, unchecked). */
  stored: unknown;
  /** The single node URL older versions saved from Settings. */
  legacyChosen: unknown;
  /** location.origin when the page came over http(s); a node serving the app answers there. */
  origin: string | null;
  buildDefault: string;
}

export function initialNodes(sources: NodeSources): KnownNode[] {
  const origin = sources.origin ? parseApiUrl(sources.origin) : null;
  // The bootstrap may have changed with a new build, and another origin is another deployment.
  let list = parseStoredNodes(sources.stored).filter(
    (n) => n.source === "chosen" || n.source === "learned" || (n.source === "site" && n.url === origin),
  );
  const legacy = typeof sources.legacyChosen === "string" ? parseApiUrl(sources.legacyChosen) : null;
  if (legacy && !list.some((n) => n.source === "chosen"))
    list = addNode(list, { url: legacy, source: "chosen" });
  if (origin) list = addNode(list, { url: origin, source: "site" });
  return addNode(list, { url: sources.buildDefault, source: "bootstrap" });
}

/** The node a `?node=` link proposes, or null. */
export function proposedNode(search: string): string | null {
  return parseApiUrl(new URLSearchParams(search).get("node") ?? "");
}
