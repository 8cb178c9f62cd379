/**
 * The client API of PROTOCOL.md as one function from an ApiRequest to an ApiAnswer (exchange.ts),
 * testable without a server (hono's shape). server.ts serves it over HTTP/1.1 on node:net.
 */
import { idToHex } from "@wisp/lib";
import type { NodeRef, Ring } from "../chord/ring";
import { LruMap } from "../lru";
import type { Counter, Metrics } from "../metrics";
import { TrustedProxies } from "./client-address";
import type { ApiDeps, ApiHandler, RequestContext } from "./context";
import { ApiError, errorAnswer } from "./errors";
import type { ApiAnswer, ApiRequest } from "./exchange";
import { handleRetrieve, handleStore } from "./messaging";
import { type ApiOptions, DEFAULT_API_OPTIONS } from "./options";
import { RateLimiter } from "./rate-limit";
import { CORS_HEADERS, json, PREFLIGHT_ANSWER, text } from "./respond";
import { findStaticFile, WEB_APP_HEADERS } from "./static";

/** Mailbox addresses of the clients' keys kept by one API (LruMap). */
const CACHED_MAILBOXES = 4_096;
/** Client socket addresses whose limit group is kept (messaging.ts, clientOf). */
const CACHED_SOCKET_GROUPS = 1_024;

type Route = (request: ApiRequest, context: RequestContext) => Promise<ApiAnswer>;

export function createApi(deps: ApiDeps, partial: Partial<ApiOptions> = {}): ApiHandler {
  const options: ApiOptions = { ...DEFAULT_API_OPTIONS, ...partial };
  const limiter = new RateLimiter(deps.clock, options.rateLimit);
  const mailboxLimiter = new RateLimiter(deps.clock, options.mailboxRateLimit);
  const proxies = new TrustedProxies(options.trustedProxies);
  const log = deps.log ?? (() => {});
  defineMetrics(deps.metrics);

  const scope = {
    deps,
    options,
    limiter,
    mailboxLimiter,
    proxies,
    mailboxOfKey: new LruMap<string, string>(CACHED_MAILBOXES),
    socketGroups: new LruMap<string, string | null>(CACHED_SOCKET_GROUPS),
  };
  const routes: Record<string, Partial<Record<string, Route>>> = {
    "/v1/store": { POST: (req, ctx) => handleStore(req, ctx, scope) },
    "/v1/retrieve": { POST: (req, ctx) => handleRetrieve(req, ctx, scope) },
    "/v1/health": { GET: async () => health(deps.ring) },
    "/v1/node": { GET: async () => describeNode(deps) },
    "/v1/peers": { GET: async () => json({ nodes: (await deps.directory?.peers()) ?? [] }, 200) },
    "/metrics": { GET: async () => text(deps.metrics.render(), "text/plain; version=0.0.4; charset=utf-8") },
  };
  const answered = new AnswerCounters(deps.metrics);

  return async (request, context) => {
    const { path } = request;
    const routeLabel = path in routes ? path : "other";
    try {
      const response = await dispatch(request, context, path);
      answered.count(routeLabel, response.status);
      return response;
    } catch (error) {
      const answer = errorAnswer(error, log);
      answered.count(routeLabel, answer.status);
      deps.metrics.inc("wisp_http_errors_total", { code: answer.code });
      return json(answer.body, answer.status, answer.headers);
    }
  };

  function dispatch(request: ApiRequest, context: RequestContext, path: string): Promise<ApiAnswer> {
    if (request.method === "OPTIONS") return Promise.resolve(PREFLIGHT_ANSWER);
    const methods = routes[path];
    if (methods) {
      const route = methods[request.method];
      if (!route) throw methodNotAllowed(request.method, path, Object.keys(methods));
      return route(request, context);
    }
    return serveStatic(request, path);
  }

  async function serveStatic(request: ApiRequest, path: string): Promise<ApiAnswer> {
    if (
      options.webRoot &&
      (request.method === "GET" || request.method === "HEAD") &&
      !path.startsWith("/v1/")
    ) {
      const file = await findStaticFile(options.webRoot, path);
      if (file) {
        const headers = {
          ...CORS_HEADERS,
          ...WEB_APP_HEADERS,
          "content-type": file.contentType,
          "cache-control": file.cacheControl,
        };
        return { status: 200, headers, body: request.method === "HEAD" ? null : file.body };
      }
    }
    throw notFound(request.method, path);
  }
}

function health(ring: Ring): ApiAnswer {
  if (!ring.isJoined()) {
    return json({ error: { code: "unavailable", message: "this node has not joined a ring yet" } }, 503);
  }
  return json({ status: "ok" }, 200);
}

function describeNode({ ring, mailboxes, directory }: ApiDeps): ApiAnswer {
  const ref = (node: NodeRef) => ({ id: idToHex(node.id), addr: node.addr });
  const predecessor = ring.predecessor();
  return json(
    {
      id: ref(ring.self).id,
      key: ring.self.key,
      addr: ring.self.addr,
      ...(directory ? { api: directory.selfApi } : {}),
      predecessor: predecessor ? ref(predecessor) : null,
      successors: ring.successors().map(ref),
      entries: mailboxes.entryCount(),
    },
    200,
  );
}

/** wisp_http_requests_total by route and status, each series resolved once (Metrics.counterOf). */
class AnswerCounters {
  private byRoute = new Map<string, Map<number, Counter>>();

  constructor(private metrics: Metrics) {}

  count(route: string, status: number): void {
    let byStatus = this.byRoute.get(route);
    if (!byStatus) {
      byStatus = new Map();
      this.byRoute.set(route, byStatus);
    }
    let counter = byStatus.get(status);
    if (!counter) {
      counter = this.metrics.counterOf("wisp_http_requests_total", { route, status: String(status) });
      byStatus.set(status, counter);
    }
    counter.inc();
  }
}

function defineMetrics(metrics: Metrics): void {
  metrics.counter("wisp_http_requests_total", "HTTP requests answered, by route and status");
  metrics.counter("wisp_http_errors_total", "HTTP error answers, by PROTOCOL.md error code");
}

function methodNotAllowed(method: string, path: string, allowed: string[]): ApiError {
  const allow = [...allowed, "OPTIONS"].join(", ");
  return new ApiError("bad_request", `${path} does not answer ${method}; use ${allow}`, 405, { allow });
}

function notFound(method: string, path: string): ApiError {
  return new ApiError("bad_request", `no such endpoint: ${method} ${path.slice(0, 100)}`, 404);
}
