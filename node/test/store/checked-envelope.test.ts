import { type Envelope, envelopeSize, isPlainEnvelope, utf8, validateEnvelope } from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { envelopeFields } from "../../../lib/test/envelope-fields";
import { checkedEnvelope, envelopeJsonSize, needsNoEscapes } from "../../src/store/checked-envelope";

const fields = envelopeFields;

describe("a checked envelope", () => {
  it("is frozen, and answers lib's size and plainness without a scan", () => {
    fc.assert(
      fc.property(fields, (f) => {
        const checked = validateEnvelope({ v: 1, ...f });
        if (!checked.ok) throw new Error(checked.message);
        const envelope = checkedEnvelope(checked.value);
        expect(Object.isFrozen(envelope)).toBe(true);
        expect(() => {
          (envelope as { ct: string }).ct = '"';
        }).toThrow(TypeError);
        expect(envelopeJsonSize(envelope)).toBe(utf8(JSON.stringify(envelope)).length);
        expect(envelopeJsonSize(envelope)).toBe(envelopeSize({ ...envelope }));
        expect(needsNoEscapes(envelope)).toBe(true);
      }),
    );
  });

  it("leaves every other envelope to lib's answers", () => {
    const quoted = { v: 1, id: 'a"', to: "b", nackTo: "c", eph: "d", ct: "é" } as Envelope;
    expect(envelopeJsonSize(quoted)).toBe(envelopeSize(quoted));
    expect(needsNoEscapes(quoted)).toBe(isPlainEnvelope(quoted));
    expect(needsNoEscapes(quoted)).toBe(false);
  });
});
