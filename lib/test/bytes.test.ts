import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  b64uByteLength,
  fromB64u,
  fromB64uExact,
  fromHex,
  fromUtf8,
  toB64u,
  toHex,
  u64be,
  utf8,
} from "../src/index";

describe("base64url", () => {
  it("round-trips random bytes and matches node's encoder", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = toB64u(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64url"));
        expect(fromB64u(text)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects characters outside the alphabet, padding and impossible lengths", () => {
    expect(fromB64u("AA==")).toBeNull();
    expect(fromB64u("AA+/")).toBeNull();
    expect(fromB64u("AA A")).toBeNull();
    expect(fromB64u("Aé")).toBeNull();
    expect(fromB64u("AAAAA")).toBeNull();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 60 }),
        fc.constantFrom("+", "/", "=", " ", ".", "\n"),
        (bytes, bad) => {
          const text = toB64u(bytes);
          const at = text.length >> 1;
          expect(fromB64u(text.slice(0, at) + bad + text.slice(at + 1))).toBeNull();
        },
      ),
    );
  });

  it("rejects non-canonical trailing bits, so each byte string has one spelling", () => {
    expect(fromB64u("AB")).toBeNull();
    expect(fromB64u("AAB")).toBeNull();
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 60 }).filter((b) => b.length % 3 !== 0),
        (bytes) => {
          const text = toB64u(bytes);
          const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
          const last = alphabet.indexOf(text[text.length - 1]);
          // The lowest bit of the last character is always a padding bit when length % 3 != 0.
          const other = alphabet[last ^ 1];
          expect(fromB64u(text.slice(0, -1) + other)).toBeNull();
        },
      ),
    );
  });

  it("checks exact lengths", () => {
    expect(fromB64uExact(toB64u(new Uint8Array(16)), 16)).toEqual(new Uint8Array(16));
    expect(fromB64uExact(toB64u(new Uint8Array(15)), 16)).toBeNull();
  });
});

describe("b64uByteLength", () => {
  const alphabetChar = fc.constantFrom(
    ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .é".split(""),
  );

  it("answers the decoded length exactly where fromB64u decodes, and -1 where it refuses", () => {
    fc.assert(
      fc.property(fc.array(alphabetChar, { maxLength: 40 }), (chars) => {
        const text = chars.join("");
        expect(b64uByteLength(text)).toBe(fromB64u(text)?.length ?? -1);
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(b64uByteLength(toB64u(bytes))).toBe(bytes.length);
      }),
    );
  });

  it("refuses padding, bad lengths and non-canonical trailing bits", () => {
    expect(b64uByteLength("")).toBe(0);
    expect(b64uByteLength("AA==")).toBe(-1);
    expect(b64uByteLength("AAAAA")).toBe(-1);
    expect(b64uByteLength("AB")).toBe(-1);
    expect(b64uByteLength("AAB")).toBe(-1);
    expect(b64uByteLength("AAE")).toBe(2);
  });
});

describe("other byte helpers", () => {
  it("round-trip hex, UTF-8 and u64be", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string(), fc.maxSafeNat(), (bytes, text, n) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes);
        expect(fromUtf8(utf8(text))).toBe(text);
        expect(new DataView(u64be(n).buffer).getBigUint64(0)).toBe(BigInt(n));
      }),
    );
    expect(fromUtf8(new Uint8Array([0xc3]))).toBeNull();
    expect(() => u64be(-1)).toThrow(RangeError);
  });
});
