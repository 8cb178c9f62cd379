import { x25519 } from "@noble/curves/ed25519.js";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type AsyncWispCrypto,
  fromHex,
  identityFromSeed,
  nobleAsyncCrypto,
  open,
  openAsync,
  recipientKeys,
  seal,
  sealAsync,
  signRetrieveAsync,
  utf8,
  webCrypto,
  X25519_BASE_POINT,
} from "../src/index";
import vectors from "./vectors.json";

const seedOf = (name: string) => {
  const v = vectors.identities.find((i) => i.name === name);
  if (!v) throw new Error(`vectors.json has no identity ${name}`);
  return fromHex(v.seed);
};

let web: AsyncWispCrypto | null = null;
beforeAll(async () => {
  web = await webCrypto();
});

describe("WebCrypto backend", () => {
  it("is used where Ed25519 and X25519 exist (Node.js 20 has both)", () => {
    expect(web).not.toBeNull();
  });

  it("is refused without SubtleCrypto, or when it gives other answers than the RFCs' published ones", async () => {
    expect(await webCrypto(null)).toBeNull();
    const wrong = {
      importKey: async () => ({}) as CryptoKey,
      sign: async () => new ArrayBuffer(64),
      verify: async () => true,
      deriveBits: async () => new ArrayBuffer(32),
    } as unknown as SubtleCrypto;
    expect(await webCrypto(wrong)).toBeNull();
  });

  it("is refused when only its HKDF-SHA256 gives another answer than RFC 5869's", async () => {
    const real = globalThis.crypto.subtle;
    const lying = new Proxy(real, {
      get(target, name) {
        const value = Reflect.get(target, name);
        if (name !== "deriveBits") return typeof value === "function" ? value.bind(target) : value;
        return async (params: AlgorithmIdentifier & { name: string }, key: CryptoKey, length: number) =>
          params.name === "HKDF" ? new ArrayBuffer(length / 8) : target.deriveBits(params, key, length);
      },
    });
    expect(await webCrypto(lying)).toBeNull();
    expect(await webCrypto(real)).not.toBeNull();
  });
});

const backends: [string, () => AsyncWispCrypto][] = [
  ["WebCrypto", () => web as AsyncWispCrypto],
  ["noble", () => nobleAsyncCrypto],
];

describe.each(backends)("%s: the async seal, open and signRetrieve on lib's vectors", (_name, backend) => {
  it.each(vectors.seals)("$from → $to: sealAsync gives the vector's envelope byte for byte", async (v) => {
    const sender = identityFromSeed(seedOf(v.from));
    const recipient = identityFromSeed(seedOf(v.to));
    const options = { id: fromHex(v.id), ephSecret: fromHex(v.eph_secret) };
    const body = utf8(v.body_utf8);
    const envelope = await sealAsync(sender, recipient.publicKey, body, backend(), options);
    expect(JSON.stringify(envelope)).toBe(JSON.stringify(v.envelope));
    const once = recipientKeys(recipient.publicKey);
    expect(await sealAsync(sender, once, body, backend(), options)).toEqual(v.envelope);
    expect(seal(sender, once, body, options)).toEqual(v.envelope);
  });

  it.each(vectors.seals)("$from → $to: openAsync gives the body and the sender", async (v) => {
    const result = await openAsync(identityFromSeed(seedOf(v.to)), v.envelope, backend());
    if (!result.ok) throw new Error(result.reason);
    expect(new TextDecoder().decode(result.body)).toBe(v.body_utf8);
    expect(result).toEqual(open(identityFromSeed(seedOf(v.to)), v.envelope));
  });

  it.each(vectors.open_failures)("$case for $recipient is refused for the same reason as open", async (v) => {
    const recipient = identityFromSeed(seedOf(v.recipient));
    const result = await openAsync(recipient, v.envelope, backend());
    expect(result.ok).toBe(false);
    expect(result).toEqual(open(recipient, v.envelope));
  });

  it.each(vectors.retrieves)("$who at $request.ts: signRetrieveAsync reproduces the request", async (v) => {
    const r = v.request;
    expect(await signRetrieveAsync(identityFromSeed(seedOf(v.who)), r.ts, r.ack, r.wait, backend())).toEqual(
      r,
    );
  });

  it("answers a secret's X25519 public key for the base point, as noble does (a seal's eph)", async () => {
    for (let i = 0; i < 16; i++) {
      const secret = crypto.getRandomValues(new Uint8Array(32));
      expect(await backend().x25519(secret, X25519_BASE_POINT)).toEqual(x25519.getPublicKey(secret));
    }
  });

  it("rejects misuse as the synchronous functions throw", async () => {
    const alice = identityFromSeed(seedOf("alice"));
    await expect(
      sealAsync(alice, alice.publicKey, utf8("x"), backend(), { id: new Uint8Array(15) }),
    ).rejects.toThrow('"id" expected 16 bytes, got 15');
    await expect(sealAsync(alice, new Uint8Array(32), utf8("x"), backend())).rejects.toThrow(RangeError);
    await expect(signRetrieveAsync(alice, 1, ["short"], 0, backend())).rejects.toThrow(
      "ack[0] expected 16 bytes",
    );
  });
});
