/** The node's HTTP API (PROTOCOL.md): POST /v1/store and POST /v1/retrieve. Every call has a deadline. */
import type {
  Envelope,
  Nack,
  RetrieveRequest,
  RetrieveResponse,
  StoredMessage,
  StoreResponse,
} from "@wisp/lib";

export interface ApiFailure {
  /** "network" when no HTTP answer came back (refused, timed out, aborted); otherwise the node's error code. */
  code: string;
  status: number;
  message: string;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiFailure };

export const STORE_TIMEOUT_MS = 15_000;
/** Beyond the long-poll's own `wait`, how long a retrieve may take before we give up on it. */
export const RETRIEVE_SLACK_MS = 10_000;

export interface NodeApi {
  store(envelope: Envelope, signal?: AbortSignal): Promise<ApiResult<StoreResponse>>;
  retrieve(request: RetrieveRequest, signal?: AbortSignal): Promise<ApiResult<RetrieveResponse>>;
}

export function createNodeApi(baseUrl: string, fetchImpl: typeof fetch = fetch.bind(globalThis)): NodeApi {
  const post = async (path: string, body: unknown, timeoutMs: number, signal?: AbortSignal) => {
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let response: Response;
    try {
      response = await fetchImpl(baseUrl + path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: combined,
      });
    } catch (err) {
      return failure("network", 0, describeFetchError(err, deadline.aborted));
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      return failure(
        response.ok ? "bad_response" : "http",
        response.status,
        `node answered ${response.status} without JSON`,
      );
    }
    if (!response.ok) return failure(...errorOf(json, response.status));
    return { ok: true as const, value: json };
  };

  return {
    async store(envelope, signal) {
      const r = await post("/v1/store", envelope, STORE_TIMEOUT_MS, signal);
      if (!r.ok) return r;
      const v = r.value as Partial<StoreResponse> | null;
      if (!v || typeof v.id !== "string" || typeof v.expiresAt !== "number")
        return failure("bad_response", 200, "store answer lacks id or expiresAt");
      return { ok: true, value: { id: v.id, expiresAt: v.expiresAt } };
    },
    async retrieve(request, signal) {
      const r = await post("/v1/retrieve", request, request.wait + RETRIEVE_SLACK_MS, signal);
      if (!r.ok) return r;
      const parsed = parseRetrieveResponse(r.value);
      if (!parsed) return failure("bad_response", 200, "retrieve answer is not {messages, nacks, more}");
      return { ok: true, value: parsed };
    },
  };
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
    typeof v.ct === "string"
  );
}

function isNack(v: unknown): v is Nack {
  return isObject(v) && typeof v.id === "string" && typeof v.expiredAt === "number";
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

function failure(code: string, status: number, message: string): { ok: false; error: ApiFailure } {
  return { ok: false, error: { code, status, message } };
}

function describeFetchError(err: unknown, timedOut: boolean): string {
  if (timedOut) return "the node did not answer in time";
  if (err instanceof Error && err.name === "AbortError") return "request cancelled";
  return "cannot reach the node";
}
