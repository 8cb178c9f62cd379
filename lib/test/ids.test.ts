import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  between,
  betweenRightIncl,
  distance,
  fingerStart,
  idFromBytes,
  idFromHex,
  idToBytes,
  idToHex,
  RING_SIZE,
} from "../src/index";

const MAX = RING_SIZE - 1n;
const anyId = fc.bigInt({ min: 0n, max: MAX });
// Ids near 0 and near 2^256 - 1 make wrap-around common instead of rare.
const edgeId = fc.oneof(anyId, fc.bigInt({ min: 0n, max: 3n }), fc.bigInt({ min: MAX - 3n, max: MAX }));
const triple = fc.oneof(
  fc.tuple(edgeId, edgeId, edgeId),
  edgeId.chain((a) => fc.tuple(fc.constant(a), edgeId, fc.constant(a))),
  edgeId.chain((a) => fc.tuple(fc.constant(a), fc.constant(a), edgeId)),
  edgeId.chain((a) => fc.tuple(fc.constant(a), fc.constant(a), fc.constant(a))),
);

/** Reference: walk clockwise from a. x ∈ (a, b) iff 0 < d(a,x) < d(a,b), with d(a,a) read as the full circle. */
function refBetween(a: bigint, x: bigint, b: bigint): boolean {
  const span = a === b ? RING_SIZE : (((b - a) % RING_SIZE) + RING_SIZE) % RING_SIZE;
  const offset = (((x - a) % RING_SIZE) + RING_SIZE) % RING_SIZE;
  return offset > 0n && offset < span;
}

function refBetweenRightIncl(a: bigint, x: bigint, b: bigint): boolean {
  const span = a === b ? RING_SIZE : (((b - a) % RING_SIZE) + RING_SIZE) % RING_SIZE;
  const offset = (((x - a) % RING_SIZE) + RING_SIZE) % RING_SIZE;
  return (offset > 0n && offset <= span) || (a === b && x === a);
}

describe("ring ids", () => {
  it("between agrees with a plain BigInt reference, wrap-around and a == b included", () => {
    fc.assert(
      fc.property(triple, ([a, x, b]) => {
        expect(between(a, x, b)).toBe(refBetween(a, x, b));
      }),
      { numRuns: 2000 },
    );
  });

  it("betweenRightIncl agrees with a plain BigInt reference", () => {
    fc.assert(
      fc.property(triple, ([a, x, b]) => {
        expect(betweenRightIncl(a, x, b)).toBe(refBetweenRightIncl(a, x, b));
      }),
      { numRuns: 2000 },
    );
  });

  it("treats a == b as the whole circle (minus a for the open interval)", () => {
    fc.assert(
      fc.property(edgeId, edgeId, (a, x) => {
        expect(between(a, x, a)).toBe(x !== a);
        expect(betweenRightIncl(a, x, a)).toBe(true);
      }),
    );
  });

  it("wraps finger starts mod 2^256", () => {
    expect(fingerStart(MAX, 0)).toBe(0n);
    expect(fingerStart(MAX, 255)).toBe((1n << 255n) - 1n);
    fc.assert(
      fc.property(anyId, fc.integer({ min: 0, max: 255 }), (n, i) => {
        const start = fingerStart(n, i);
        expect(start).toBe((n + 2n ** BigInt(i)) % RING_SIZE);
        expect(distance(n, start)).toBe(2n ** BigInt(i));
      }),
    );
    expect(() => fingerStart(0n, 256)).toThrow(RangeError);
  });

  it("measures clockwise distance mod 2^256", () => {
    expect(distance(MAX, 0n)).toBe(1n);
    expect(distance(0n, MAX)).toBe(MAX);
    fc.assert(
      fc.property(anyId, anyId, (a, b) => {
        expect(distance(a, b)).toBe((((b - a) % RING_SIZE) + RING_SIZE) % RING_SIZE);
        expect((a + distance(a, b)) % RING_SIZE).toBe(b);
        if (a !== b) expect(distance(a, b) + distance(b, a)).toBe(RING_SIZE);
      }),
    );
  });

  it("round-trips through hex and bytes, and parses only 64 lowercase hex characters", () => {
    fc.assert(
      fc.property(anyId, (id) => {
        expect(idFromHex(idToHex(id))).toBe(id);
        expect(idFromBytes(idToBytes(id))).toBe(id);
      }),
    );
    expect(idFromHex("A".repeat(64))).toBeNull();
    expect(idFromHex("0".repeat(63))).toBeNull();
    expect(idFromHex(42)).toBeNull();
  });
});
