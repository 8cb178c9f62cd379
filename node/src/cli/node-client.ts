/** A small HTTP client of one node's API, with a deadline on every call. */
import type { Envelope, RetrieveRequest, RetrieveResponse, StoreResponse } from "@wisp/lib";

export class NodeError extends Error {
  override name = "NodeError";
  constructor(
    /** A PROTOCOL.md error code, or "network" when the node could not be reached or answered garbage. */
    readonly code: string,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

/** Margin on top of a long-poll's wait before the client gives up on the node. */
const DEADLINE_MARGIN_MS = 10_000;

export class NodeClient {
  readonly base: string;

  constructor(
    nodeUrl: string,
    private fetchFn: typeof fetch = fetch,
  ) {
    this.base = nodeUrl.replace(/\/+$/, "");
  }

  store(envelope: Envelope, signal?: AbortSignal): Promise<StoreResponse> {
    return this.post<StoreResponse>("/v1/store", envelope, DEADLINE_MARGIN_MS, signal);
  }

  retrieve(request: RetrieveRequest, signal?: AbortSignal): Promise<RetrieveResponse> {
    return this.post<RetrieveResponse>("/v1/retrieve", request, request.wait + DEADLINE_MARGIN_MS, signal);
  }

  private async post<T>(path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let response: Response;
    try {
      response = await this.fetchFn(`${this.base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: combined,
      });
    } catch (error) {
      if (deadline.aborted)
        throw new NodeError("network", `${this.base} did not answer within ${timeoutMs} ms`);
      if (signal?.aborted) throw error;
      throw new NodeError("network", `cannot reach ${this.base}: ${causeOf(error)}`);
    }
    const text = await response.text().catch(() => "");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new NodeError(
        "network",
        `${this.base}${path} answered ${response.status} with a body that is not JSON`,
      );
    }
    if (response.ok) return json as T;
    const error = (json as { error?: { code?: unknown; message?: unknown } }).error;
    const code = typeof error?.code === "string" ? error.code : "internal";
    const message = typeof error?.message === "string" ? error.message : `HTTP ${response.status}`;
    throw new NodeError(code, `the node refused (${response.status} ${code}): ${message}`, response.status);
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
