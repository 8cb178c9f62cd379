import { type Envelope, envelopeSize, isPlainEnvelope, utf8, validateEnvelope } from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { envelopeFields } from "./envelope-fields";

const serialized = (value: unknown) => utf8(JSON.stringify(value)).length;
const b64uText = fc.stringMatching(/^[A-Za-z0-9_-]{0,200}$/);

describe("envelopeSize", () => {
  it("equals the UTF-8 length of the envelope's JSON for base64url fields (computed from lengths)", () => {
    fc.assert(
      fc.property(b64uText, b64uText, b64uText, b64uText, b64uText, (id, to, nackTo, eph, ct) => {
        const envelope: Envelope = { v: 1, id, to, nackTo, eph, ct };
        expect(envelopeSize(envelope)).toBe(serialized(envelope));
      }),
    );
  });

  it("equals it too for fields JSON escapes, other characters and extra keys (measured by serializing)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: "grapheme" }), (quoted, unicode) => {
        const envelope = { v: 1, id: quoted, to: unicode, nackTo: "a", eph: "\n", ct: '"' } as Envelope;
        expect(envelopeSize(envelope)).toBe(serialized(envelope));
      }),
    );
    const stored = { v: 1, id: "a", to: "b", nackTo: "c", eph: "d", ct: "e", expiresAt: 123 } as Envelope;
    expect(envelopeSize(stored)).toBe(serialized(stored));
    const otherVersion = { v: 2, id: "a", to: "b", nackTo: "c", eph: "d", ct: "e" } as unknown as Envelope;
    expect(envelopeSize(otherVersion)).toBe(serialized(otherVersion));
  });
});

describe("isPlainEnvelope", () => {
  it("holds for exactly the six fields, v 1 and base64url text, and for nothing else", () => {
    const plain: Envelope = { v: 1, id: "a", to: "b", nackTo: "c", eph: "d", ct: "e" };
    expect(isPlainEnvelope(plain)).toBe(true);
    expect(isPlainEnvelope({ ...plain, ct: 'e"' })).toBe(false);
    expect(isPlainEnvelope({ ...plain, to: "é" })).toBe(false);
    expect(isPlainEnvelope({ ...plain, expiresAt: 1 } as Envelope)).toBe(false);
    expect(isPlainEnvelope({ ...plain, v: 2 } as unknown as Envelope)).toBe(false);
    expect(isPlainEnvelope({ ...plain, id: 7 } as unknown as Envelope)).toBe(false);
  });
});

describe("a validated envelope", () => {
  const fields = envelopeFields;

  it("is a plain object of the six fields, with the size of its JSON", () => {
    fc.assert(
      fc.property(fields, (f) => {
        const plain: Envelope = { v: 1, ...f };
        const checked = validateEnvelope({ ...JSON.parse(JSON.stringify(plain)) });
        if (!checked.ok) throw new Error(checked.message);
        const { envelope, jsonBytes } = checked.value;
        expect(envelope).toEqual(plain);
        expect(Object.getPrototypeOf(envelope)).toBe(Object.prototype);
        expect(Object.keys(envelope)).toEqual(["v", "id", "to", "nackTo", "eph", "ct"]);
        expect(JSON.stringify(envelope)).toBe(JSON.stringify(plain));
        expect(jsonBytes).toBe(serialized(plain));
        expect(envelopeSize(envelope)).toBe(jsonBytes);
      }),
    );
  });
});
