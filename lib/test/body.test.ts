import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Body, decodeBody, encodeBody, utf8 } from "../src/index";

describe("bodies", () => {
  it("encodes text and receipts with PROTOCOL.md's key order", () => {
    const text = new TextDecoder().decode(encodeBody({ type: "text", text: "hi", sentAt: 5 }));
    expect(text).toBe('{"type":"text","text":"hi","sentAt":5}');
    const receipt = new TextDecoder().decode(
      encodeBody({ type: "receipt", ids: ["AAECAwQFBgcICQoLDA0ODw"] }),
    );
    expect(receipt).toBe('{"type":"receipt","ids":["AAECAwQFBgcICQoLDA0ODw"]}');
  });

  it("round-trips text and receipt bodies", () => {
    const body = fc.oneof(
      fc.record({ type: fc.constant("text" as const), text: fc.string(), sentAt: fc.nat() }),
      fc.record({ type: fc.constant("receipt" as const), ids: fc.array(fc.string(), { maxLength: 5 }) }),
    );
    fc.assert(
      fc.property(body, (b: Body) => {
        expect(decodeBody(encodeBody(b))).toEqual(b);
      }),
      { numRuns: 200 },
    );
  });

  it("makes unknown or malformed types `unknown`, keeping the raw JSON", () => {
    expect(decodeBody(utf8('{"type":"reaction","emoji":"👍"}'))).toEqual({
      type: "unknown",
      raw: { type: "reaction", emoji: "👍" },
    });
    expect(decodeBody(utf8('{"type":"text","text":5,"sentAt":1}'))?.type).toBe("unknown");
    expect(decodeBody(utf8('{"type":"receipt","ids":[1]}'))?.type).toBe("unknown");
    expect(decodeBody(utf8("[1,2]"))).toEqual({ type: "unknown", raw: [1, 2] });
    expect(decodeBody(utf8("null"))).toEqual({ type: "unknown", raw: null });
  });

  it("answers null for bytes that are not UTF-8 JSON, and never throws", () => {
    expect(decodeBody(new Uint8Array([0xff, 0xfe]))).toBeNull();
    expect(decodeBody(utf8("{not json"))).toBeNull();
    expect(decodeBody(new Uint8Array())).toBeNull();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const body = decodeBody(bytes);
        return body === null || typeof body.type === "string";
      }),
      { numRuns: 300 },
    );
  });
});
