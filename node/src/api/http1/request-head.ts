/**
 * The head of an HTTP/1.1 request (RFC 9112 §2–§7): request line, header fields, and the framing
 * they imply. Strict where leniency enables request smuggling (RFC 9112 §6.3, §11.2): conflicting
 * or malformed lengths, Content-Length with Transfer-Encoding, obs-fold, bare CR or LF.
 */

export interface RequestHead {
  method: string;
  /** The origin-form path and query ("/v1/store"), or "*". */
  target: string;
  version: "1.0" | "1.1";
  /** Lowercased field names; repeated fields joined with ", " (RFC 9110 §5.3). */
  headers: Map<string, string>;
  contentLength: number | null;
  chunked: boolean;
  keepAlive: boolean;
  expectContinue: boolean;
}

type HeadResult = { ok: true; head: RequestHead } | { ok: false; status: 400 | 431 | 501; message: string };

/** Any method token is a request; the routes answer those they do not serve with 404 or 405. */
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) ([^\s]+) HTTP\/1\.([01])$/;
const FIELD = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;
// Control characters (HTAB allowed in values) make a field or a target malformed (RFC 9110 §5.5).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const BAD_FIELD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const BAD_TARGET = /[\x00-\x20\x7f]/;
const DIGITS = /^\d{1,15}$/;
export const MAX_HEADER_FIELDS = 1_000;

function malformed(message = "malformed HTTP request"): HeadResult {
  return { ok: false, status: 400, message };
}

/** Parses `text`: the latin1 bytes of a request head, without the CRLFCRLF that ends it. */
export function parseRequestHead(text: string): HeadResult {
  const lines = text.split("\r\n");
  const requestLine = REQUEST_LINE.exec(lines[0]);
  if (!requestLine || BAD_TARGET.test(requestLine[2])) return malformed();
  const target = originForm(requestLine[2]);
  if (target === null) return malformed();
  if (lines.length - 1 > MAX_HEADER_FIELDS) {
    return { ok: false, status: 431, message: "too many header fields" };
  }
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const field = FIELD.exec(lines[i]);
    if (!field || BAD_FIELD_VALUE.test(field[2])) return malformed();
    const name = field[1].toLowerCase();
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? field[2] : `${earlier}, ${field[2]}`);
  }
  return framing(requestLine[1], target, requestLine[3] === "1" ? "1.1" : "1.0", headers);
}

function framing(
  method: string,
  target: string,
  version: "1.0" | "1.1",
  headers: Map<string, string>,
): HeadResult {
  const host = headers.get("host");
  if (version === "1.1" && (host === undefined || host.includes(","))) return malformed();
  const contentLength = lengthOf(headers.get("content-length"));
  if (contentLength === "invalid") return malformed();
  const transferEncoding = headers.get("transfer-encoding");
  let chunked = false;
  if (transferEncoding !== undefined) {
    if (contentLength !== null || version === "1.0") return malformed();
    if (transferEncoding.trim().toLowerCase() !== "chunked") {
      return { ok: false, status: 501, message: "only the chunked transfer coding is supported" };
    }
    chunked = true;
  }
  const connection = (headers.get("connection") ?? "").toLowerCase();
  const keepAlive = version === "1.1" ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
  const expectContinue = (headers.get("expect") ?? "").toLowerCase() === "100-continue";
  return {
    ok: true,
    head: { method, target, version, headers, contentLength, chunked, keepAlive, expectContinue },
  };
}

/** A list of equal decimal values is one length (RFC 9110 §8.6); anything else is invalid. */
function lengthOf(value: string | undefined): number | null | "invalid" {
  if (value === undefined) return null;
  let length: number | null = null;
  for (const part of value.split(",")) {
    const text = part.trim();
    if (!DIGITS.test(text)) return "invalid";
    const n = Number(text);
    if (length !== null && n !== length) return "invalid";
    length = n;
  }
  return length;
}

function hasToken(list: string, token: string): boolean {
  return list.split(",").some((part) => part.trim() === token);
}

/** "/path?q" as it is, "*" as it is, "http://host/path" as "/path"; null for anything else. */
function originForm(target: string): string | null {
  if (target.startsWith("/") || target === "*") return target;
  if (!/^https?:\/\//i.test(target)) return null;
  const slash = target.indexOf("/", target.indexOf("//") + 2);
  return slash < 0 ? "/" : target.slice(slash);
}
