/**
 * The service worker (built to sw.js by scripts/service-worker-plugin.ts): keeps the app shell —
 * the files of this build — in a cache, so the app opens with no node reachable. Hashed files are
 * served from the cache; a navigation gets the cached index.html. API calls are never touched.
 * A new build is a new worker: it waits until the page asks it to take over (the reload prompt).
 */

// The build replaces these two with the build's file list and a hash of it.
declare const __WISP_SHELL__: string[];
declare const __WISP_VERSION__: string;

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
/** Chromium's static routing: requests a route matches skip the worker (no start, no fetch event). */
interface InstallEvent extends ExtendableEvent {
  addRoutes?(routes: { condition: { requestMethod: string }; source: "network" }[]): Promise<void>;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface WorkerScope {
  registration: { scope: string };
  clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: "install", listener: (event: InstallEvent) => void): void;
  addEventListener(type: "activate", listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", listener: (event: FetchEvent) => void): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

const worker = self as unknown as WorkerScope;
const CACHE = `wisp-shell-${__WISP_VERSION__}`;
const scope = worker.registration.scope;
const shell = new Set(__WISP_SHELL__.map((file) => new URL(file, scope).href));
const indexUrl = new URL("index.html", scope).href;

worker.addEventListener("install", (event) => {
  event.waitUntil(routePostsPastWorker(event));
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll([...shell].map((url) => new Request(url, { cache: "reload" })))),
  );
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith("wisp-shell-") && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener("message", (event) => {
  if (event.data === "wisp:update") void worker.skipWaiting();
});

worker.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (!url.href.startsWith(scope)) return;
  const path = url.pathname.slice(new URL(scope).pathname.length);
  if (path.startsWith("v1/") || path === "metrics") return;
  if (request.mode === "navigate") return event.respondWith(fromCache(indexUrl, request));
  url.search = "";
  if (shell.has(url.href)) event.respondWith(fromCache(url.href, request));
});

/**
 * Every API call is a POST, which the fetch handler passes through anyway: routed past the worker,
 * a store or a retrieve skips a hop through the worker's thread on the path a message takes. A
 * browser without static routing (or without this condition) keeps the fetch handler's way.
 */
function routePostsPastWorker(event: InstallEvent): Promise<void> {
  try {
    const added = event.addRoutes?.([{ condition: { requestMethod: "POST" }, source: "network" }]);
    return Promise.resolve(added).catch(() => {});
  } catch {
    return Promise.resolve();
  }
}

/** The cached copy, else the network: a shell file missing from the cache is still fetched. */
async function fromCache(key: string, request: Request): Promise<Response> {
  const cached = await caches.match(key, { cacheName: CACHE });
  return cached ?? fetch(request);
}
