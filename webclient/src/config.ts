/** Where the app finds its node: `?node=URL` wins, then the user's setting, then the build-time default. */

import { DEFAULT_NODE_URL, parseApiUrl } from "@wisp/lib";

export function buildDefaultNodeUrl(): string {
  const fromBuild = import.meta.env?.VITE_WISP_NODE;
  return normalizeNodeUrl(fromBuild ?? "") ?? DEFAULT_NODE_URL;
}

export interface NodeUrlSources {
  search: string;
  stored: string | null;
  buildDefault: string;
}

export function resolveNodeUrl(sources: NodeUrlSources): { url: string; fromQuery: boolean } {
  const fromQuery = normalizeNodeUrl(new URLSearchParams(sources.search).get("node") ?? "");
  if (fromQuery) return { url: fromQuery, fromQuery: true };
  const stored = normalizeNodeUrl(sources.stored ?? "");
  return { url: stored ?? sources.buildDefault, fromQuery: false };
}

/** An http(s) URL without a trailing slash, or null when the text is not one. */
export const normalizeNodeUrl = parseApiUrl;
