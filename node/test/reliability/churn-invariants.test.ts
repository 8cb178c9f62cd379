/** The invariant checker itself, on hand-made successor lists: each invariant caught when broken. */
import { describe, expect, it } from "vitest";
import { checkWhole, checkZave, type MemberView } from "./churn-invariants";

/** Members a..e at ids 10, 20, .., 50; `lists` gives each one's successor list by name. */
function members(lists: Record<string, string[]>): MemberView[] {
  const id = (name: string) => BigInt((name.charCodeAt(0) - 96) * 10);
  const ref = (name: string) => ({ addr: name, id: id(name), key: name });
  return Object.entries(lists).map(([name, list]) => ({ ...ref(name), successors: list.map(ref) }));
}

describe("Zave's invariants", () => {
  it("a whole ordered ring passes, and a ring of one passes", () => {
    expect(checkWhole(members({ a: ["b", "c"], b: ["c", "d"], c: ["d", "a"], d: ["a", "b"] }))).toEqual([]);
    expect(checkWhole(members({ a: [] }))).toEqual([]);
  });

  it("best successors skip dead entries", () => {
    // x is not a live member: b's best successor is c.
    expect(checkWhole(members({ a: ["b"], b: ["x", "c"], c: ["a"] }))).toEqual([]);
  });

  it("AtMostOneRing: two cycles", () => {
    const report = checkZave(members({ a: ["b"], b: ["a"], c: ["d"], d: ["c"] }));
    expect(report.violations.some((v) => v.startsWith("AtMostOneRing"))).toBe(true);
  });

  it("AtLeastOneRing and ConnectedAppendages: a member with no live successor", () => {
    const report = checkZave(members({ a: ["x"], b: ["a"] }));
    expect(report.violations.some((v) => v.startsWith("AtLeastOneRing"))).toBe(true);
    expect(report.violations.some((v) => v.includes("a has no live successor"))).toBe(true);
  });

  it("OrderedRing: a ring that goes round the circle out of order", () => {
    const report = checkZave(members({ a: ["c"], c: ["b"], b: ["a"] }));
    expect(report.violations.some((v) => v.startsWith("OrderedRing"))).toBe(true);
  });

  it("appendages that reach the ring pass the invariants but not the whole-ring check", () => {
    const lists = { a: ["c"], b: ["c"], c: ["d"], d: ["a"] };
    expect(checkZave(members(lists))).toMatchObject({ violations: [], ringSize: 3, appendages: 1 });
    expect(checkWhole(members(lists))).toEqual(["whole ring: 1 live member(s) are appendages"]);
  });
});
