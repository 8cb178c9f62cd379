/** Responses with the open CORS headers every answer of the API carries (PROTOCOL.md). */
export const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "Retry-After",
};

export const PREFLIGHT_HEADERS: Record<string, string> = {
  ...CORS_HEADERS,
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "Content-Type",
  "access-control-max-age": "86400",
};

/** The headers of every JSON answer; one frozen object, so the HTTP server serializes it once. */
export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...CORS_HEADERS,
  "content-type": "application/json",
});

export function json(body: unknown, status: number, headers?: Record<string, string>): Response {
  const all = headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS;
  return new JsonResponse(JSON.stringify(body), status, all) as unknown as Response;
}

/**
 * A JSON answer without undici's Response machinery (a body stream per answer, ~70 µs on this
 * machine; docs/performance.md). It has the Response members that callers read; the HTTP server
 * (http1/answer.ts) writes `payload` and `rawHeaders` directly.
 */
export class JsonResponse {
  private parsedHeaders: Headers | null = null;

  constructor(
    readonly payload: string,
    readonly status: number,
    readonly rawHeaders: Readonly<Record<string, string>>,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get headers(): Headers {
    this.parsedHeaders ??= new Headers(this.rawHeaders);
    return this.parsedHeaders;
  }

  get body(): ReadableStream<Uint8Array> {
    return new Response(this.payload).body as ReadableStream<Uint8Array>;
  }

  async text(): Promise<string> {
    return this.payload;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.payload);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new TextEncoder().encode(this.payload).buffer as ArrayBuffer;
  }

  clone(): JsonResponse {
    return new JsonResponse(this.payload, this.status, this.rawHeaders);
  }
}

export function text(body: string, contentType: string): Response {
  return new Response(body, { status: 200, headers: { ...CORS_HEADERS, "content-type": contentType } });
}
