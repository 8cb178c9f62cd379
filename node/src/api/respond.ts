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

export function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...CORS_HEADERS, "content-type": "application/json", ...headers },
  });
}

export function text(body: string, contentType: string): Response {
  return new Response(body, { status: 200, headers: { ...CORS_HEADERS, "content-type": contentType } });
}
