/** Reading request bodies with a byte limit, and parsing JSON that must be shallow. */
import { fromUtf8 } from "@wisp/lib";
import { ApiError } from "./errors";
import type { ApiRequest } from "./exchange";

/** The body, when it is at most `limit` bytes and arrived whole; otherwise 413, or 400 for a cut body. */
export function readBodyLimited(request: ApiRequest, limit: number): Uint8Array {
  const declared = request.header("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit, `${declared} bytes`);
  if (request.body.byteLength > limit) throw tooLarge(limit, "more");
  if (!request.bodyComplete) throw new ApiError("bad_request", "the request body broke off before its end");
  return request.body;
}

function tooLarge(limit: number, got: string): ApiError {
  return new ApiError("too_large", `request body must be at most ${limit} bytes, got ${got}`);
}

/** Parses a JSON body, refusing invalid UTF-8, malformed text and nesting deeper than maxDepth. */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number): unknown {
  const text = fromUtf8(bytes);
  if (text === null) throw new ApiError("bad_request", "request body is not valid UTF-8");
  if (text.trim() === "") throw new ApiError("bad_request", "request body is empty; expected a JSON object");
  const depth = jsonDepth(text);
  if (depth > maxDepth) {
    throw new ApiError("bad_request", `JSON nested ${depth} levels deep; at most ${maxDepth} allowed`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError("bad_request", `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Deepest bracket nesting outside strings, found in one scan before parsing: a deeply nested body
 * costs JSON.parse far more CPU than an envelope of the same size (docs/performance.md).
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) i = closingQuote(text, i);
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Index of the quote that closes the string opened at `open`, or text.length if none does. Jumps
 * from quote to quote (a body is mostly base64url inside strings); a quote after an odd run of
 * backslashes is escaped.
 */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (quote - backslashes - 1 > open && text.charCodeAt(quote - backslashes - 1) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}
