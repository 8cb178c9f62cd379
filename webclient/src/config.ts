/** Where the app finds its node: `?node=URL` wins, then the user's setting, then the build-time default. */

export const FALLBACK_NODE_URL = "http://127.0.0.1:7401";

export function buildDefaultNodeUrl(): string {
  const fromBuild = import.meta.env?.VITE_WISP_NODE;
  return normalizeNodeUrl(fromBuild ?? "") ?? FALLBACK_NODE_URL;
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
export function normalizeNodeUrl(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return url.toString().replace(/\/+$/, "");
}
