import { fromB64u, idFromBytes, toB64u } from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mailboxKey } from "../../src/store/entry";

describe("mailboxKey", () => {
  it("is the ring id of the mailbox's 32 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        expect(mailboxKey(toB64u(bytes))).toBe(idFromBytes(bytes));
      }),
    );
  });

  it("refuses anything but 32 bytes of canonical base64url", () => {
    const good = toB64u(new Uint8Array(32).fill(7));
    expect(fromB64u(good)).toHaveLength(32);
    for (const bad of [good.slice(1), `${good}A`, `${good.slice(0, -1)}+`, `${good.slice(0, -1)}B`]) {
      expect(() => mailboxKey(bad)).toThrow(/mailbox expected 32 bytes of base64url/);
    }
  });
});
