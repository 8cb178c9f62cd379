/**
 * Serves a folder (the built web app) read-only: GET/HEAD only, no path traversal, SPA fallback.
 * Paths are resolved to real paths (symlinks followed) and anything that lies outside the web
 * root's own real path is refused, so a link inside the root cannot serve a file elsewhere.
 */
import { extname, join, resolve, sep } from "node:path";

/**
 * The web app's headers (docs/security.md): scripts, styles and images only from its own origin,
 * requests to any node's API (the app talks to the nodes a user picks), no framing, no sniffing.
 */
export const WEB_APP_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
    "manifest-src 'self'; connect-src 'self' http: https:; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** Loaded at the first file served: node:fs/promises adds ~0.4 MiB to the idle RSS of a node that serves none. */
const files = () => process.getBuiltinModule("node:fs/promises");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".map": "application/json",
};

interface StaticFile {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  cacheControl: string;
}

/** The file for a URL path, or null when there is none (the caller answers 404). */
export async function findStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  const relative = safeRelativePath(urlPath);
  if (relative === null) return null;
  const base = resolve(root);
  const exact = await readIfFile(base, relative === "" ? "index.html" : relative);
  if (exact) return exact;
  // Client-side routes (no extension) fall back to the app shell.
  if (extname(relative) === "") return readIfFile(base, "index.html");
  return null;
}

/** Decodes the path and refuses anything that could leave the root: "..", NUL, backslashes. */
export function safeRelativePath(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return null;
  const segments = decoded.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.some((s) => s === ".." || s.startsWith("."))) return null;
  return segments.join("/");
}

async function readIfFile(base: string, relative: string): Promise<StaticFile | null> {
  const full = resolve(join(base, relative));
  if (!within(base, full)) return null;
  try {
    const [realBase, real] = await Promise.all([files().realpath(base), files().realpath(full)]);
    if (!within(realBase, real)) return null;
    if (!(await files().stat(real)).isFile()) return null;
    const body = new Uint8Array(await files().readFile(real));
    const ext = extname(full).toLowerCase();
    const cacheControl = ext === ".html" ? "no-cache" : "public, max-age=3600";
    return { body, contentType: CONTENT_TYPES[ext] ?? "application/octet-stream", cacheControl };
  } catch {
    return null;
  }
}

function within(base: string, path: string): boolean {
  return path === base || path.startsWith(base + sep);
}
