/** ApiRequests as the HTTP/1.1 server builds them, for route tests, and ApiAnswers read back as web Responses. */
import type { ApiHandler } from "../../src/api/context";
import type { ApiAnswer, ApiRequest } from "../../src/api/exchange";

export interface RequestInit {
  body?: string | Uint8Array | null;
  headers?: Record<string, string>;
  /** False: the body was longer than the server buffers, and `body` is its start. */
  bodyComplete?: boolean;
  signal?: AbortSignal;
}

export function apiRequest(method: string, path: string, init: RequestInit = {}): ApiRequest {
  const body =
    typeof init.body === "string" ? new TextEncoder().encode(init.body) : (init.body ?? new Uint8Array(0));
  const headers = new Map(
    Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    method,
    path,
    header: (name) => headers.get(name.toLowerCase()) ?? null,
    body,
    bodyComplete: init.bodyComplete ?? true,
    signal: init.signal ?? new AbortController().signal,
  };
}

/** The answer as a web Response, for tests that read status, headers and JSON the way a client does. */
export function toResponse(answer: ApiAnswer): Response {
  const body =
    typeof answer.body === "string" || answer.body === null ? answer.body : new Uint8Array(answer.body);
  return new Response(body, { status: answer.status, headers: answer.headers });
}

/** A fetch served by the routes without a socket, for clients under test (the CLI). */
export function fetchOver(api: ApiHandler, clientAddr = "127.0.0.1"): typeof fetch {
  return (async (input: string | URL | Request, init?: globalThis.RequestInit) => {
    const request = new Request(input, init);
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : null;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const url = new URL(request.url);
    const answer = await api(
      apiRequest(request.method, url.pathname, { body, headers, signal: request.signal }),
      {
        clientAddr,
      },
    );
    return toResponse(answer);
  }) as typeof fetch;
}
