import { describe, expect, it } from "vitest";
import { MAX_HEADER_FIELDS, parseRequestHead } from "../../../src/api/http1/request-head";

const head = (...lines: string[]) => parseRequestHead(lines.join("\r\n"));

function parsed(...lines: string[]) {
  const result = head(...lines);
  if (!result.ok) throw new Error(`expected a head, got ${result.status} ${result.message}`);
  return result.head;
}

describe("parseRequestHead", () => {
  it("reads the request line, lowercases field names and joins repeated fields", () => {
    const h = parsed("POST /v1/store?x=1 HTTP/1.1", "Host: node", "X-A: 1", "x-a:  2 ", "Content-Length: 12");
    expect(h).toMatchObject({ method: "POST", target: "/v1/store?x=1", version: "1.1", contentLength: 12 });
    expect(h.headers.get("x-a")).toBe("1, 2");
    expect(h.keepAlive).toBe(true);
    expect(h.chunked).toBe(false);
  });

  it("keeps HTTP/1.1 alive unless Connection: close, and HTTP/1.0 only with keep-alive", () => {
    expect(parsed("GET / HTTP/1.1", "Host: x", "Connection: Close").keepAlive).toBe(false);
    expect(parsed("GET / HTTP/1.0").keepAlive).toBe(false);
    expect(parsed("GET / HTTP/1.0", "Connection: keep-alive").keepAlive).toBe(true);
  });

  it("takes the absolute form as its path and accepts any method token", () => {
    expect(parsed("GET http://node:7401/v1/health HTTP/1.1", "Host: node").target).toBe("/v1/health");
    expect(parsed("PROPFIND /v1/store HTTP/1.1", "Host: node").method).toBe("PROPFIND");
  });

  it("sees chunked bodies and Expect: 100-continue", () => {
    const h = parsed("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: Chunked", "Expect: 100-Continue");
    expect(h.chunked).toBe(true);
    expect(h.contentLength).toBeNull();
    expect(h.expectContinue).toBe(true);
  });

  it("accepts a list of equal Content-Length values as one", () => {
    expect(parsed("POST / HTTP/1.1", "Host: x", "Content-Length: 5, 5").contentLength).toBe(5);
    expect(parsed("POST / HTTP/1.1", "Host: x", "Content-Length: 5", "Content-Length: 5").contentLength).toBe(
      5,
    );
  });

  it.each([
    ["no Host in HTTP/1.1", ["GET / HTTP/1.1"]],
    ["two Hosts", ["GET / HTTP/1.1", "Host: a", "Host: b"]],
    ["an unknown version", ["GET / HTTP/2.0", "Host: x"]],
    ["not HTTP", ["GET / FTP/1.1", "Host: x"]],
    ["a space in the target", ["GET /a b HTTP/1.1", "Host: x"]],
    ["a relative target", ["GET v1/store HTTP/1.1", "Host: x"]],
    ["a lowercase protocol name", ["GET / http/1.1", "Host: x"]],
    ["obs-fold", ["GET / HTTP/1.1", "Host: x", "X-A: 1", " folded"]],
    ["a space before the colon", ["GET / HTTP/1.1", "Host : x"]],
    ["a control character in a value", ["GET / HTTP/1.1", "Host: x", "X-A: a\u0000b"]],
    ["a bare LF", ["GET / HTTP/1.1", "Host: x\nX-A: 1"]],
    ["Content-Length -1", ["POST / HTTP/1.1", "Host: x", "Content-Length: -1"]],
    ["Content-Length abc", ["POST / HTTP/1.1", "Host: x", "Content-Length: abc"]],
    ["Content-Length of 16 digits", ["POST / HTTP/1.1", "Host: x", "Content-Length: 1000000000000000"]],
    [
      "two different Content-Lengths",
      ["POST / HTTP/1.1", "Host: x", "Content-Length: 2", "Content-Length: 3"],
    ],
    [
      "Content-Length with chunked",
      ["POST / HTTP/1.1", "Host: x", "Content-Length: 2", "Transfer-Encoding: chunked"],
    ],
    ["chunked in HTTP/1.0", ["POST / HTTP/1.0", "Transfer-Encoding: chunked"]],
  ])("refuses %s with 400", (_, lines) => {
    expect(head(...lines)).toMatchObject({ ok: false, status: 400 });
  });

  it("answers 501 to a transfer coding other than chunked", () => {
    expect(head("POST / HTTP/1.1", "Host: x", "Transfer-Encoding: gzip, chunked")).toMatchObject({
      ok: false,
      status: 501,
    });
  });

  it("answers 431 to more header fields than it keeps", () => {
    const fields = Array.from({ length: MAX_HEADER_FIELDS + 1 }, (_, i) => `X-${i}: 1`);
    expect(head("GET / HTTP/1.1", "Host: x", ...fields)).toMatchObject({ ok: false, status: 431 });
  });
});
