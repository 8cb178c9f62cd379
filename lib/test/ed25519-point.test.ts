import { readFileSync } from "node:fs";
import { ED25519_TORSION_SUBGROUP, ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { describe, expect, it } from "vitest";
import { fromB64uExact, fromHex, toHex } from "../src/bytes";
import { Ed25519Point, publicKeyProblem, x25519PublicFromEd25519 } from "../src/ed25519-point";
import vectors from "./vectors.json";

const shared = JSON.parse(readFileSync("/work/shared/vectors/wisp-v1.json", "utf8")) as typeof vectors;
const Ours = Ed25519Point;
const Noble = ed25519.Point;

/** What both groups answer for the same 32 bytes: the re-encoding and both checks, or "not a point". */
function answers(Point: typeof Ours | typeof Noble, bytes: Uint8Array) {
  try {
    const point = Point.fromBytes(bytes, false);
    return { hex: point.toHex(), small: point.isSmallOrder(), torsionFree: point.isTorsionFree() };
  } catch {
    return "not a point";
  }
}

describe("Ed25519Point: RFC 8032's edwards25519 on noble's generic code is noble's ed25519 group", () => {
  it("has the same field, order, cofactor and base point", () => {
    expect(Ours.Fp.ORDER).toBe(Noble.Fp.ORDER);
    expect(Ours.Fn.ORDER).toBe(Noble.Fn.ORDER);
    expect(Ours.CURVE()).toEqual(Noble.CURVE());
    expect(Ours.BASE.toHex()).toBe(Noble.BASE.toHex());
    expect(Ours.BASE.toHex()).toBe("5866666666666666666666666666666666666666666666666666666666666666");
  });

  it("gives the same multiples of the base point and decodes them alike", () => {
    for (let i = 0; i < 16; i++) {
      const k = Ours.Fn.create(BigInt(`0x${toHex(randomBytes(32))}`)) || 1n;
      const bytes = Ours.BASE.multiply(k).toBytes();
      expect(toHex(bytes)).toBe(Noble.BASE.multiply(k).toHex());
      expect(answers(Ours, bytes)).toEqual(answers(Noble, bytes));
      expect(publicKeyProblem(bytes)).toBeNull();
      expect(toHex(x25519PublicFromEd25519(bytes))).toBe(toHex(ed25519.utils.toMontgomery(bytes)));
    }
  });

  it("answers as noble for random 32-byte strings (most are not points; of those that are, most are not in the subgroup)", () => {
    for (let i = 0; i < 64; i++) {
      const bytes = randomBytes(32);
      expect(answers(Ours, bytes)).toEqual(answers(Noble, bytes));
    }
  });

  it("finds every point of ED25519_TORSION_SUBGROUP of small order, and a key plus one of them outside the subgroup", () => {
    const key = Noble.BASE.multiply(123456789n);
    for (const [i, hex] of ED25519_TORSION_SUBGROUP.entries()) {
      const torsion = fromHex(hex);
      const answer = answers(Ours, torsion);
      expect(answer).toEqual(answers(Noble, torsion));
      expect(publicKeyProblem(torsion)).toMatch(/not a point|small order/);
      if (i === 0) continue;
      const mixed = key.add(Noble.fromBytes(torsion)).toBytes();
      expect(answers(Ours, mixed)).toEqual({ hex: toHex(mixed), small: false, torsionFree: false });
      expect(publicKeyProblem(mixed)).toMatch(/prime-order subgroup/);
      expect(() => x25519PublicFromEd25519(mixed)).toThrow(RangeError);
    }
  });

  it.each([...vectors.identities, ...shared.identities])("maps identity $name to its X25519 key", (v) => {
    expect(toHex(x25519PublicFromEd25519(fromHex(v.pk)))).toBe(v.x25519_pk);
  });

  const keyAddresses = vectors.addresses.filter((v) =>
    "problem" in v ? /point|order/.test(String(v.problem)) : v.valid,
  );
  it.each(keyAddresses)("address $text: the same answer as noble's ed25519", (v) => {
    const bytes = fromB64uExact(v.text, 32) as Uint8Array;
    expect(answers(Ours, bytes)).toEqual(answers(Noble, bytes));
    expect(publicKeyProblem(bytes) === null).toBe(v.valid);
  });
});
