/** Bugs the fuzzers found, pinned as plain tests. */
import { describe, expect, it } from "vitest";
import { parseEnvelope, parsePut } from "../../src/store/wire";
import { DEEP } from "./fuzz-wire";

describe("found by fuzz-rpc", () => {
  it('store.put with "v" nested 100,000 levels deep is refused with a reason, not a stack overflow', () => {
    const envelope = { v: DEEP, id: "AAAAAAAAAAAAAAAAAAAAAA", to: "x", nackTo: "x", eph: "x", ct: "x" };
    expect(parseEnvelope(envelope)).toBe('"v" expected 1, got an array');
    expect(parsePut({ t: "store.put", kind: "msg", envelope })).toBe('"v" expected 1, got an array');
    expect(parseEnvelope({ ...envelope, v: "1" })).toBe('"v" expected 1, got "1"');
    expect(parseEnvelope({ ...envelope, v: 2 })).toBe('"v" expected 1, got 2');
  });
});
