import {
  nobleCrypto,
  type RetrieveRequest,
  verifyRetrieve,
  verifyRetrieveAsync,
  type WispCrypto,
} from "@wisp/lib";
import { describe, expect, it } from "vitest";
import vectors from "../../../lib/test/vectors.json";
import { nodeCrypto } from "../../src/crypto/node-crypto";

const backends: [string, WispCrypto][] = [
  ["noble (no async method: falls back to ed25519Verify)", nobleCrypto],
  ["node (libsodium inline, OpenSSL in the thread pool)", nodeCrypto],
];

function altered(request: RetrieveRequest): RetrieveRequest[] {
  const flipped = request.sig.startsWith("A") ? `B${request.sig.slice(1)}` : `A${request.sig.slice(1)}`;
  return [
    { ...request, ts: request.ts + 1 },
    { ...request, sig: flipped },
    { ...request, sig: request.sig.slice(1) },
    { ...request, pk: request.pk.slice(2) },
    { ...request, ack: ["not an id"] },
    null as unknown as RetrieveRequest,
  ];
}

describe.each(backends)("verifyRetrieveAsync on %s", (_name, crypto) => {
  it("accepts every retrieve vector and refuses each alteration, as verifyRetrieve does", async () => {
    for (const v of vectors.retrieves) {
      const request = v.request as RetrieveRequest;
      expect(await verifyRetrieveAsync(request, crypto)).toBe(true);
      for (const bad of altered(request)) {
        expect(await verifyRetrieveAsync(bad, crypto)).toBe(false);
        expect(verifyRetrieve(bad, crypto)).toBe(false);
      }
    }
  });
});

describe("nodeCrypto.ed25519VerifyAsync", () => {
  it("gives the same answers inline and in the thread pool, where a burst of verifies goes", async () => {
    const requests = vectors.retrieves.flatMap((v) => [
      v.request as RetrieveRequest,
      ...altered(v.request as RetrieveRequest),
    ]);
    const expected = requests.map((request) => verifyRetrieve(request, nobleCrypto));
    expect(expected).toContain(true);
    // Started in one turn: only the first runs inline, the others wait for the pool.
    const burst = await Promise.all(requests.map((request) => verifyRetrieveAsync(request, nodeCrypto)));
    expect(burst).toEqual(expected);
    const oneByOne: boolean[] = [];
    for (const request of requests) {
      oneByOne.push(await verifyRetrieveAsync(request, nodeCrypto));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(oneByOne).toEqual(expected);
  });

  it("answers false for wrong lengths and a public key that is not a point, never rejects", async () => {
    const verifyAsync = nodeCrypto.ed25519VerifyAsync!;
    const message = new Uint8Array([1, 2, 3]);
    expect(await verifyAsync(new Uint8Array(63), message, new Uint8Array(32))).toBe(false);
    expect(await verifyAsync(new Uint8Array(64), message, new Uint8Array(31))).toBe(false);
    expect(await verifyAsync(new Uint8Array(64), message, new Uint8Array(32).fill(0xff))).toBe(false);
  });
});
