import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  decodeBody,
  encodeBody,
  fromB64uExact,
  groupHead,
  groupIdOf,
  parseSharedAddress,
  stateHash,
  utf8,
  verifyGroupState,
} from "../src/index";
import { ready, refVerify } from "./reference";

const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL("./body-vectors.json", import.meta.url)), "utf8"),
);

describe("body vectors", () => {
  it("decodes every valid body to its vector and encodes it back to the same bytes", () => {
    expect(vectors.bodies.length).toBeGreaterThanOrEqual(12);
    for (const { body, decoded } of vectors.bodies) {
      const got = decodeBody(utf8(body));
      expect(got, body).toEqual(decoded);
      expect(got?.type).not.toBe("unknown");
      expect(new TextDecoder().decode(encodeBody(got!))).toBe(body);
    }
  });

  it("treats every malformed body as an unknown type", () => {
    for (const { body, problem } of vectors.unknown)
      expect(decodeBody(utf8(body))?.type, problem).toBe("unknown");
  });

  it("verifies the group states, their hashes and the group id, also with libsodium", async () => {
    await ready;
    const { gid, states, head } = vectors.group;
    const verified = states.map((s: { state: string; sig: string; hash: string }) => {
      const v = verifyGroupState(s);
      expect(v?.hash).toBe(s.hash);
      const state = JSON.parse(s.state);
      const message = new Uint8Array([...utf8("wisp/group/v1"), ...utf8(s.state)]);
      expect(refVerify(fromB64uExact(s.sig, 64)!, message, fromB64uExact(state.by, 32)!)).toBe(true);
      return v!;
    });
    expect(groupIdOf(states[0])).toBe(gid);
    expect(stateHash(states[2])).toBe(head);
    expect(groupHead(gid, verified)?.hash).toBe(head);
    expect(groupHead(gid, [...verified].reverse())?.hash).toBe(head);
  });

  it("accepts every checksummed link and refuses one mistyped character", () => {
    for (const { address, fragment } of vectors.links) {
      const parsed = parseSharedAddress(`https://wisp.example/${fragment}`);
      expect(parsed.ok && parsed.checked).toBe(true);
      const flipped = fragment.replace(/add=(.)/, (_: string, c: string) => `add=${c === "A" ? "B" : "A"}`);
      const typo = parseSharedAddress(flipped);
      expect(typo.ok, `${address} with a typo`).toBe(false);
      if (!typo.ok) expect(typo.error).toContain("checksum");
    }
  });
});
