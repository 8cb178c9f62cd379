/**
 * The one HTTP client of a node's API (PROTOCOL.md), used by the web app and the CLI alike:
 * fetch-based, so it runs in a browser and in Node. Every call has a deadline, and every answer
 * is checked before it is believed. Failures are values: `{ ok: false, error }`.
 */
import type {
  Envelope,
  Nack,
  RetrieveRequest,
  RetrieveResponse,
  StoredMessage,
  StoreResponse,
} from "./envelope";

export interface NodeFailure {
  /** "network" when no HTTP answer came back (refused, timed out, aborted), "bad_response" for garbage; otherwise the node's error code. */
  code: string;
  /** The HTTP status, 0 when there was none. */
  status: number;
  message: string;
}

export type NodeResult<T> = { ok: true; value: T } | { ok: false; error: NodeFailure };

/** What GET /v1/node tells about a node; only the fields a client relies on. */
export interface NodeInfo {
  id: string;
  /** The client API URL the node advertises; absent on nodes older than this field. */
  api?: string;
}

/** An entry of GET /v1/peers: another node of the ring and the API URL it advertises. */
export interface PeerInfo {
  id: string;
  api: string;
}

/** The calls a client makes to store and fetch its messages; NodeClient and a pool of them implement it. */
export interface NodeApi {
  store(envelope: Envelope, signal?: AbortSignal): Promise<NodeResult<StoreResponse>>;
  retrieve(request: RetrieveRequest, signal?: AbortSignal): Promise<NodeResult<RetrieveResponse>>;
}

export interface NodeClientOptions {
  fetch?: typeof fetch;
  /** Deadline of a store, and of a retrieve beyond its own `wait`. */
  timeoutMs?: number;
  /** Deadline of GET /v1/node and /v1/peers. */
  probeTimeoutMs?: number;
}

export const STORE_TIMEOUT_MS = 15_000;
export const PROBE_TIMEOUT_MS = 2_000;
/** GET /v1/peers lists at most this many nodes. */
export const MAX_PEERS = 16;
const MAX_URL_LENGTH = 2_048;

export class NodeClient implements NodeApi {
  /** The node's API URL without a trailing slash. */
  readonly base: string;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly probeTimeoutMs: number;

  constructor(baseUrl: string, options: NodeClientOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? STORE_TIMEOUT_MS;
    this.probeTimeoutMs = options.probeTimeoutMs ?? PROBE_TIMEOUT_MS;
  }

  async store(envelope: Envelope, signal?: AbortSignal): Promise<NodeResult<StoreResponse>> {
    const r = await this.call("POST", "/v1/store", envelope, this.timeoutMs, signal);
    if (!r.ok) return r;
    const v = r.value;
    if (!isObject(v) || typeof v.id !== "string" || typeof v.expiresAt !== "number")
      return failure("bad_response", 200, "store answer lacks id or expiresAt");
    return { ok: true, value: { id: v.id, expiresAt: v.expiresAt } };
  }

  async retrieve(request: RetrieveRequest, signal?: AbortSignal): Promise<NodeResult<RetrieveResponse>> {
    const r = await this.call("POST", "/v1/retrieve", request, request.wait + this.timeoutMs, signal);
    if (!r.ok) return r;
    const parsed = parseRetrieveResponse(r.value);
    if (!parsed) return failure("bad_response", 200, "retrieve answer is not {messages, nacks, more}");
    return { ok: true, value: parsed };
  }

  /** GET /v1/node: is the node there, and who is it? */
  async info(signal?: AbortSignal): Promise<NodeResult<NodeInfo>> {
    const r = await this.call("GET", "/v1/node", undefined, this.probeTimeoutMs, signal);
    if (!r.ok) return r;
    const v = r.value;
    if (!isObject(v) || typeof v.id !== "string") return failure("bad_response", 200, "node answer lacks id");
    const api = typeof v.api === "string" ? parseApiUrl(v.api) : null;
    return { ok: true, value: api ? { id: v.id, api } : { id: v.id } };
  }

  /** GET /v1/peers: other nodes of the ring to fail over to; entries that are not http(s) URLs are dropped. */
  async peers(signal?: AbortSignal): Promise<NodeResult<PeerInfo[]>> {
    const r = await this.call("GET", "/v1/peers", undefined, this.probeTimeoutMs, signal);
    if (!r.ok) return r;
    const v = r.value;
    if (!isObject(v) || !Array.isArray(v.nodes))
      return failure("bad_response", 200, "peers answer lacks nodes");
    const peers: PeerInfo[] = [];
    for (const entry of v.nodes.slice(0, MAX_PEERS)) {
      if (!isObject(entry) || typeof entry.id !== "string" || typeof entry.api !== "string") continue;
      const api = parseApiUrl(entry.api);
      if (api) peers.push({ id: entry.id.slice(0, 64), api });
    }
    return { ok: true, value: peers };
  }

  private async call(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<NodeResult<unknown>> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let response: Response;
    try {
      response = await this.fetchFn(this.base + path, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
    } catch (error) {
      return failure("network", 0, this.describeFetchError(error, deadline.aborted, timeoutMs));
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      const code = response.ok ? "bad_response" : "http";
      return failure(code, response.status, `${this.base}${path} answered ${response.status} without JSON`);
    }
    if (!response.ok) return failure(...errorOf(json, response.status));
    return { ok: true, value: json };
  }

  private describeFetchError(error: unknown, timedOut: boolean, timeoutMs: number): string {
    if (timedOut) return `${this.base} did not answer within ${timeoutMs} ms`;
    if (error instanceof Error && error.name === "AbortError") return "request cancelled";
    return `cannot reach ${this.base}${causeOf(error)}`;
  }
}

/** An http(s) URL without a trailing slash, or null when the text is not one. */
export function parseApiUrl(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed || trimmed.length > MAX_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password) return null;
  return url.toString().replace(/\/+$/, "");
}

/** Keeps only well-formed entries: a node is not trusted to send sensible JSON. */
export function parseRetrieveResponse(value: unknown): RetrieveResponse | null {
  if (!isObject(value) || !Array.isArray(value.messages) || !Array.isArray(value.nacks)) return null;
  const messages = value.messages.filter(isStoredMessage);
  const nacks = value.nacks.filter(isNack);
  return { messages, nacks, more: value.more === true };
}

function isStoredMessage(v: unknown): v is StoredMessage {
  if (!isObject(v)) return false;
  return (
    v.v === 1 &&
    typeof v.id === "string" &&
    typeof v.to === "string" &&
    typeof v.nackTo === "string" &&
    typeof v.eph === "string" &&
    typeof v.ct === "string" &&
    typeof v.expiresAt === "number"
  );
}

function isNack(v: unknown): v is Nack {
  return (
    isObject(v) && typeof v.id === "string" && typeof v.to === "string" && typeof v.expiredAt === "number"
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function errorOf(json: unknown, status: number): [string, number, string] {
  const error = isObject(json) && isObject(json.error) ? json.error : null;
  const code = error && typeof error.code === "string" ? error.code : "http";
  const message = error && typeof error.message === "string" ? error.message : `node answered ${status}`;
  return [code, status, message];
}

function failure(code: string, status: number, message: string): { ok: false; error: NodeFailure } {
  return { ok: false, error: { code, status, message } };
}

/** Node's fetch hides the reason (ECONNREFUSED) in `cause`; browsers give none. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === "string" ? `: ${cause.code}` : "";
}
