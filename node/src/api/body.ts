/** Reading request bodies with a byte limit, and parsing JSON that must be shallow. */
import { concatBytes, fromUtf8 } from "@wisp/lib";
import { ApiError } from "./errors";

/** Reads at most `limit` bytes; a longer body is cut off (the stream is cancelled) with 413. */
export async function readBodyLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) {
    await request.body?.cancel().catch(() => {});
    throw tooLarge(limit, `${declared} bytes`);
  }
  if (!request.body) return new Uint8Array(0);
  const expected = declared === null ? -1 : Number(declared);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw new ApiError("bad_request", "the request body broke off before its end");
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit, "more");
    }
    chunks.push(value);
    // HTTP/1.1 framing ends a body at its declared length: no further read to see it end.
    if (total === expected) break;
  }
  return chunks.length === 1 ? chunks[0] : concatBytes(...chunks);
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

/** Deepest bracket nesting outside strings, found without parsing (so a hostile body cannot recurse). */
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

export function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError("bad_request", `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}
