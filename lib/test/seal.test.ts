import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Envelope,
  fromB64u,
  generateIdentity,
  identityFromSeed,
  mailboxAddress,
  open,
  seal,
  signRetrieve,
  toB64u,
  utf8,
  verifyRetrieve,
  x25519PublicFromEd25519,
  x25519SecretFromSeed,
} from "../src/index";
import { ready, sodiumX25519Public, sodiumX25519Secret } from "./reference";

const alice = generateIdentity();
const bob = generateIdentity();
const carol = generateIdentity();
const body = utf8('{"type":"text","text":"hi","sentAt":1764115200000}');

beforeAll(async () => {
  await ready;
});

function flipByte(text: string, index: number): string {
  const bytes = fromB64u(text) as Uint8Array;
  bytes[index] ^= 0x01;
  return toB64u(bytes);
}

describe("seal/open", () => {
  it("round-trips between two identities, both ways", () => {
    const there = open(bob, seal(alice, bob.publicKey, body));
    const back = open(alice, seal(bob, alice.publicKey, utf8("reply")));
    if (!there.ok || !back.ok) throw new Error("round trip failed");
    expect(there.body).toEqual(body);
    expect(there.sender).toBe(alice.address);
    expect(back.body).toEqual(utf8("reply"));
    expect(back.senderPublicKey).toEqual(bob.publicKey);
  });

  it("opens a retrieved message, which carries the node's expiresAt beside the envelope", () => {
    const stored = { ...seal(alice, bob.publicKey, body), expiresAt: 1_764_115_200_000 };
    const opened = open(bob, stored);
    expect(opened.ok && opened.body).toEqual(body);
  });

  it("round-trips random bodies", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const result = open(bob, seal(alice, bob.publicKey, bytes));
        return result.ok && toB64u(result.body) === toB64u(bytes);
      }),
      { numRuns: 50 },
    );
  });

  it("addresses the envelope to the recipient's mailbox with NACKs to the sender's", () => {
    const envelope = seal(alice, bob.publicKey, body);
    expect(envelope.to).toBe(mailboxAddress(bob.publicKey));
    expect(envelope.nackTo).toBe(mailboxAddress(alice.publicKey));
    expect(fromB64u(envelope.id)).toHaveLength(16);
    expect(seal(alice, bob.publicKey, body).id).not.toBe(envelope.id);
  });

  it("takes its randomness from the injected source", () => {
    let calls = 0;
    const random = (n: number) => new Uint8Array(n).fill(++calls);
    const envelope = seal(alice, bob.publicKey, body, { random });
    expect(envelope.id).toBe(toB64u(new Uint8Array(16).fill(1)));
    expect(calls).toBe(2);
    expect(open(bob, envelope).ok).toBe(true);
  });

  it.each(["id", "to", "nackTo", "eph", "ct"] as const)(
    "fails to open when any byte of %s is flipped",
    (field) => {
      const envelope = seal(alice, bob.publicKey, body);
      const length = (fromB64u(envelope[field]) as Uint8Array).length;
      for (let i = 0; i < length; i++) {
        const result = open(bob, { ...envelope, [field]: flipByte(envelope[field], i) });
        expect(result.ok, `${field}[${i}]`).toBe(false);
      }
    },
  );

  it("does not open for anyone but the recipient", () => {
    const envelope = seal(alice, bob.publicKey, body);
    const forCarol = open(carol, envelope);
    expect(forCarol).toEqual({ ok: false, reason: '"to" is not the mailbox of this identity' });
    const readdressed = open(carol, { ...envelope, to: mailboxAddress(carol.publicKey) });
    expect(readdressed.ok).toBe(false);
    if (!readdressed.ok) expect(readdressed.reason).toMatch(/tag/);
  });

  it("refuses an ephemeral key that makes the shared secret all-zero", () => {
    const envelope = seal(alice, bob.publicKey, body);
    const result = open(bob, { ...envelope, eph: toB64u(new Uint8Array(32)) });
    expect(result).toEqual({ ok: false, reason: '"eph" gives an all-zero X25519 shared secret' });
  });

  it("throws when sealing to a small-order key (all-zero shared secret)", () => {
    const identityPoint = new Uint8Array(32);
    identityPoint[0] = 1;
    expect(() => seal(alice, identityPoint, body)).toThrow(RangeError);
  });

  it("throws on misuse of its options", () => {
    expect(() => seal(alice, bob.publicKey, body, { id: new Uint8Array(15) })).toThrow(
      '"id" expected 16 bytes, got 15',
    );
    expect(() => seal(alice, bob.publicKey, body, { ephSecret: new Uint8Array(31) })).toThrow(
      '"ephSecret" expected 32 bytes, got 31',
    );
  });

  it("answers a failure value, never throws, for anything hostile", () => {
    const hostile: unknown[] = [null, undefined, 1, "x", [], {}, { v: 1 }, Object.create(null)];
    for (const value of hostile) expect(open(bob, value).ok).toBe(false);
    const envelope = seal(alice, bob.publicKey, body);
    const anyValue = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.uint8Array().map(toB64u));
    fc.assert(
      fc.property(
        fc.constantFrom<keyof Envelope>("v", "id", "to", "nackTo", "eph", "ct"),
        anyValue,
        (field, value) => {
          const result = open(bob, { ...envelope, [field]: value });
          return result.ok === false || value === envelope[field];
        },
      ),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.anything(), (value) => open(bob, value).ok === false),
      { numRuns: 200 },
    );
  });
});

describe("retrieve signatures", () => {
  const ids = [0, 1, 2].map((i) => toB64u(new Uint8Array(16).fill(i + 7)));

  it("verifies, and stops verifying when ts or any ack changes", () => {
    const request = signRetrieve(bob, 1764115200000, ids, 1000);
    expect(verifyRetrieve(request)).toBe(true);
    expect(verifyRetrieve({ ...request, wait: 0 })).toBe(true);
    expect(verifyRetrieve({ ...request, ts: request.ts + 1 })).toBe(false);
    for (let i = 0; i < ids.length; i++) {
      const ack = [...ids];
      ack[i] = flipByte(ack[i], 15);
      expect(verifyRetrieve({ ...request, ack }), `ack[${i}]`).toBe(false);
    }
    expect(verifyRetrieve({ ...request, ack: [ids[1], ids[0], ids[2]] })).toBe(false);
    expect(verifyRetrieve({ ...request, ack: ids.slice(0, 2) })).toBe(false);
    expect(verifyRetrieve({ ...request, pk: alice.address })).toBe(false);
  });

  it("answers false for any malformed field", () => {
    const request = signRetrieve(bob, 1764115200000, ids, 0);
    const broken: unknown[] = [
      { ...request, pk: request.pk.slice(1) },
      { ...request, sig: request.sig.slice(2) },
      { ...request, sig: `${request.sig.slice(0, -1)}=` },
      { ...request, ts: -1 },
      { ...request, ts: 1.5 },
      { ...request, ts: "1764115200000" },
      { ...request, ack: "x" },
      { ...request, ack: [42] },
      { ...request, ack: [ids[0].slice(1)] },
      { ...request, ack: Array(257).fill(ids[0]) },
      null,
      "request",
    ];
    for (const value of broken) expect(verifyRetrieve(value as typeof request)).toBe(false);
  });

  it("throws on misuse when signing", () => {
    expect(() => signRetrieve(bob, 1, ["short"], 0)).toThrow(RangeError);
    expect(() => signRetrieve(bob, -1, [], 0)).toThrow(RangeError);
  });
});

describe("X25519 derivation", () => {
  it("equals libsodium's crypto_sign_ed25519_{pk,sk}_to_curve25519 for random keys", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const id = identityFromSeed(seed);
        expect(x25519PublicFromEd25519(id.publicKey)).toEqual(sodiumX25519Public(id.publicKey));
        expect(x25519SecretFromSeed(seed)).toEqual(sodiumX25519Secret(seed));
      }),
      { numRuns: 100 },
    );
  });
});
