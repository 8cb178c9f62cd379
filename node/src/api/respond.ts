/** Answers with the open CORS headers every answer of the API carries (PROTOCOL.md). */
import type { ApiAnswer } from "./exchange";

export const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "access-control-allow-origin": "*",
  "access-control-expose-headers": "Retry-After",
});

const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...CORS_HEADERS,
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "Content-Type",
  "access-control-max-age": "86400",
});

/** The headers of every JSON answer; one frozen object, so the HTTP server serializes it once. */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...CORS_HEADERS,
  "content-type": "application/json",
});

export function json(body: unknown, status: number, headers?: Record<string, string>): ApiAnswer {
  return jsonText(JSON.stringify(body), status, headers);
}

/** A JSON answer whose text the caller put together. */
export function jsonText(text: string, status: number, headers?: Record<string, string>): ApiAnswer {
  return { status, headers: headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS, body: text };
}

export function text(body: string, contentType: string): ApiAnswer {
  return { status: 200, headers: { ...CORS_HEADERS, "content-type": contentType }, body };
}

export const PREFLIGHT_ANSWER: ApiAnswer = { status: 204, headers: PREFLIGHT_HEADERS, body: null };
