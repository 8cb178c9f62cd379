import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jsonDepth, parseJsonBody, readBodyLimited } from "../../src/api/body";
import { ApiError } from "../../src/api/errors";
import { RateLimiter } from "../../src/api/rate-limit";
import { safeRelativePath } from "../../src/api/static";
import { ManualClock } from "../../src/clock";
import { apiRequest } from "./exchange";

describe("jsonDepth", () => {
  it("counts bracket nesting outside strings", () => {
    expect(jsonDepth('{"a":1}')).toBe(1);
    expect(jsonDepth('{"ack":["x"]}')).toBe(2);
    expect(jsonDepth('{"a":"[[[[\\"[["}')).toBe(1);
    expect(jsonDepth("[[[[]]]]")).toBe(4);
  });

  it("agrees with a character-by-character scan on any mix of brackets, quotes and backslashes", () => {
    const reference = (text: string) => {
      let depth = 0;
      let deepest = 0;
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
          if (c === "\\") i++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "{" || c === "[") deepest = Math.max(deepest, ++depth);
        else if (c === "}" || c === "]") depth--;
      }
      return deepest;
    };
    const pieces = fc.constantFrom("{", "}", "[", "]", '"', "\\", "a", ":", ",");
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 60 }), (chars) => {
        const text = chars.join("");
        expect(jsonDepth(text)).toBe(reference(text));
      }),
      { numRuns: 3_000 },
    );
  });

  it("parseJsonBody names the problem", () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(() => parseJsonBody(bytes("[[[1]]]"), 2)).toThrow(/nested 3 levels deep; at most 2/);
    expect(() => parseJsonBody(new Uint8Array([0xff, 0xfe]), 8)).toThrow(/UTF-8/);
    expect(() => parseJsonBody(bytes("{"), 8)).toThrow(ApiError);
    expect(parseJsonBody(bytes('{"a":[1]}'), 8)).toEqual({ a: [1] });
  });
});

describe("RateLimiter", () => {
  it("keeps a bounded number of buckets, forgetting the least recently seen", () => {
    const limiter = new RateLimiter(new ManualClock(0), { burst: 1, perSecond: 1, maxBuckets: 3 });
    for (let i = 0; i < 10; i++) limiter.take(`10.0.0.${i}`);
    expect(limiter.size()).toBe(3);
  });

  it("a client seen again, once or several times in a row, becomes the most recently seen", () => {
    const limiter = new RateLimiter(new ManualClock(0), { burst: 1, perSecond: 1, maxBuckets: 2 });
    expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("b").ok).toBe(true);
    expect(limiter.take("a").ok).toBe(false);
    expect(limiter.take("a").ok).toBe(false);
    expect(limiter.take("c").ok).toBe(true);
    expect(limiter.take("a").ok).toBe(false);
    expect(limiter.take("b").ok).toBe(true);
    expect(limiter.size()).toBe(2);
  });

  it("answers how long to wait", () => {
    const limiter = new RateLimiter(new ManualClock(0), { burst: 2, perSecond: 4, maxBuckets: 3 });
    expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterMs: 250 });
  });
});

describe("safeRelativePath", () => {
  it("refuses anything that could leave the web root", () => {
    expect(safeRelativePath("/")).toBe("");
    expect(safeRelativePath("/assets/app.js")).toBe("assets/app.js");
    expect(safeRelativePath("/../etc/passwd")).toBeNull();
    expect(safeRelativePath("/%2e%2e/etc/passwd")).toBeNull();
    expect(safeRelativePath("/a/..%2f..%2fb")).toBeNull();
    expect(safeRelativePath("/a%5c..%5cb")).toBeNull();
    expect(safeRelativePath("/a%00b")).toBeNull();
    expect(safeRelativePath("/%E0%A4%A")).toBeNull();
    expect(safeRelativePath("/.env")).toBeNull();
  });
});

describe("readBodyLimited", () => {
  it("answers bad_request, not internal, when the body broke off, and too_large past the limit first", () => {
    const cut = apiRequest("POST", "/v1/store", { body: "{", bodyComplete: false });
    expect(() => readBodyLimited(cut, 100)).toThrow(expect.objectContaining({ code: "bad_request" }));
    const long = apiRequest("POST", "/v1/store", { body: "x".repeat(101), bodyComplete: false });
    expect(() => readBodyLimited(long, 100)).toThrow(expect.objectContaining({ code: "too_large" }));
    const declared = apiRequest("POST", "/v1/store", { headers: { "Content-Length": "101" } });
    expect(() => readBodyLimited(declared, 100)).toThrow(expect.objectContaining({ code: "too_large" }));
  });
});
