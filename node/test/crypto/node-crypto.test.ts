import { ed25519 } from "@noble/curves/ed25519.js";
import {
  fromB64u,
  fromHex,
  identityFromSeed,
  nobleCrypto,
  type RetrieveRequest,
  utf8,
  verifyRetrieve,
  type WispCrypto,
} from "@wisp/lib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RefEnvelope, ready, refDecrypt } from "../../../lib/test/reference";
import vectors from "../../../lib/test/vectors.json";
import { nodeCrypto } from "../../src/crypto/node-crypto";

const backends: [string, WispCrypto][] = [
  ["noble", nobleCrypto],
  ["node:crypto", nodeCrypto],
];

describe.each(backends)("%s backend", (_name, crypto) => {
  it("hashes the mailbox vectors", () => {
    for (const v of vectors.identities) {
      const digest = crypto.sha256(new Uint8Array([...utf8("wisp/mailbox/v1"), ...fromHex(v.pk)]));
      expect(digest).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(digest).toString("hex")).toBe(v.mailbox);
    }
  });

  it("verifies every retrieve vector and refuses it once altered", () => {
    for (const v of vectors.retrieves) {
      const request = v.request as RetrieveRequest;
      expect(verifyRetrieve(request, crypto)).toBe(true);
      expect(verifyRetrieve({ ...request, ts: request.ts - 1 }, crypto)).toBe(false);
    }
  });

  it("answers false, never throws, for malformed keys and signatures", () => {
    const message = utf8("m");
    const seed = new Uint8Array(32).fill(3);
    const pk = ed25519.getPublicKey(seed);
    const sig = ed25519.sign(message, seed);
    expect(crypto.ed25519Verify(sig, message, pk)).toBe(true);
    expect(crypto.ed25519Verify(sig.subarray(1), message, pk)).toBe(false);
    expect(crypto.ed25519Verify(sig, message, pk.subarray(1))).toBe(false);
    expect(crypto.ed25519Verify(sig, message, fromHex(`02${"00".repeat(31)}`))).toBe(false);
    expect(crypto.ed25519Verify(new Uint8Array(64), message, pk)).toBe(false);
    const nonCanonicalS = sig.slice();
    nonCanonicalS.set(new Uint8Array(32).fill(0xff), 32);
    expect(crypto.ed25519Verify(nonCanonicalS, message, pk)).toBe(false);
  });
});

describe("the two backends agree", () => {
  it("on SHA-256 of random data", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), (data) => {
        expect(nodeCrypto.sha256(data)).toEqual(nobleCrypto.sha256(data));
      }),
      { numRuns: 100 },
    );
  });

  it("on random signatures, keys and messages, valid or tampered", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 256 }),
        fc.nat(95),
        fc.boolean(),
        (seed, message, at, tamper) => {
          const pk = ed25519.getPublicKey(seed);
          const sig = ed25519.sign(message, seed);
          const joined = new Uint8Array([...sig, ...pk]);
          if (tamper) joined[at] ^= 1;
          const [s, k] = [joined.subarray(0, 64), joined.subarray(64)];
          expect(nodeCrypto.ed25519Verify(s, message, k)).toBe(nobleCrypto.ed25519Verify(s, message, k));
          expect(nodeCrypto.ed25519Verify(s, message, k)).toBe(!tamper);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("on the sender signature inside every seal vector", async () => {
    await ready;
    for (const v of vectors.seals) {
      const seed = fromHex(vectors.identities.find((i) => i.name === v.to)?.seed ?? "");
      const inner = refDecrypt(seed, v.envelope as RefEnvelope);
      if (!inner) throw new Error(`vector ${v.envelope.id} does not decrypt`);
      const recipient = identityFromSeed(seed);
      const signed = new Uint8Array([
        ...utf8("wisp/msg/v1"),
        ...(fromB64u(v.envelope.id) as Uint8Array),
        ...recipient.publicKey,
        ...inner.subarray(96),
      ]);
      const [spk, sig] = [inner.subarray(0, 32), inner.subarray(32, 96)];
      expect(nodeCrypto.ed25519Verify(sig, signed, spk)).toBe(true);
      expect(nobleCrypto.ed25519Verify(sig, signed, spk)).toBe(true);
      signed[signed.length - 1] ^= 1;
      expect(nodeCrypto.ed25519Verify(sig, signed, spk)).toBe(false);
    }
  });

  it("keeps answering after more distinct keys than its key cache holds", () => {
    const message = utf8("cache");
    for (let i = 0; i < 1100; i++) {
      const pk = new Uint8Array(32);
      new DataView(pk.buffer).setUint32(0, i);
      nodeCrypto.ed25519Verify(new Uint8Array(64), message, pk);
    }
    const seed = new Uint8Array(32).fill(9);
    expect(nodeCrypto.ed25519Verify(ed25519.sign(message, seed), message, ed25519.getPublicKey(seed))).toBe(
      true,
    );
  });
});
