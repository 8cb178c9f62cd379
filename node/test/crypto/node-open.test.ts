import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  fromHex,
  identityFromSeed,
  nobleCrypto,
  type OpenResult,
  open,
  seal,
  toB64u,
  x25519PublicFromEd25519,
} from "@wisp/lib";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ready, refSeal, refSign } from "../../../lib/test/reference";
import vectors from "../../../lib/test/vectors.json";
import { nodeCrypto } from "../../src/crypto/node-crypto";

// lib/test/vectors.json starts with the upstream contract file unchanged; where the checkout sits
// beside it (as make-vectors.ts expects), its seals are opened straight from the source too.
const upstreamPath = fileURLToPath(new URL("../../../../shared/vectors/wisp-v1.json", import.meta.url));
const vectorFiles: [string, typeof vectors][] = [["lib/test/vectors.json", vectors]];
if (existsSync(upstreamPath))
  vectorFiles.push(["shared/vectors/wisp-v1.json", JSON.parse(readFileSync(upstreamPath, "utf8"))]);

const P = 2n ** 255n - 19n;
// Every u of small order on curve25519 or its twist (the list noble and libsodium refuse).
const LOW_ORDER = [
  0n,
  1n,
  P - 1n,
  325606250916557431795983626356110631294008115727848805560023387167927233504n,
  39382357235489614581723060781553021112529911719440698176882885853963445705823n,
];

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

function withTopBit(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out[31] |= 0x80;
  return out;
}

/** The small-order points in every encoding: canonical, + p where it fits in 255 bits, top bit set. */
const lowOrderEncodings = LOW_ORDER.flatMap((u) => {
  const encodings = [le32(u), withTopBit(le32(u))];
  if (u + P < 2n ** 255n) encodings.push(le32(u + P), withTopBit(le32(u + P)));
  return encodings;
});

function bothOpen(recipientSeed: Uint8Array, envelope: unknown): [OpenResult, OpenResult] {
  const recipient = identityFromSeed(recipientSeed);
  return [open(recipient, envelope, nodeCrypto), open(recipient, envelope, nobleCrypto)];
}

beforeAll(async () => {
  await ready;
});

describe("node:crypto x25519", () => {
  it("answers null, as noble does, for every small-order point in every encoding", () => {
    const secret = new Uint8Array(32).fill(7);
    for (const u of lowOrderEncodings) {
      expect(nobleCrypto.x25519?.(secret, u)).toBeNull();
      expect(nodeCrypto.x25519?.(secret, u)).toBeNull();
    }
  });

  it("answers null for inputs that are not 32 bytes", () => {
    const key = new Uint8Array(32).fill(9);
    for (const [secret, pub] of [
      [key.subarray(1), key],
      [key, key.subarray(1)],
      [new Uint8Array(33), key],
    ]) {
      expect(nodeCrypto.x25519?.(secret, pub)).toBeNull();
      expect(nobleCrypto.x25519?.(secret, pub)).toBeNull();
    }
  });

  it("agrees with noble on random secrets and points, non-canonical and top-bit encodings included", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom("as is", "top bit", "plus p"),
        (secret, pub, encoding) => {
          let u: Uint8Array = pub;
          if (encoding === "top bit") u = withTopBit(pub);
          if (encoding === "plus p") {
            const value = BigInt(`0x${Buffer.from(pub).reverse().toString("hex")}`) % 19n;
            u = le32(P + value);
          }
          expect(nodeCrypto.x25519?.(secret, u)).toEqual(nobleCrypto.x25519?.(secret, u));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("does not answer from its key cache once the secret's bytes changed in place", () => {
    const secret = new Uint8Array(32).fill(1);
    const pub = x25519PublicFromEd25519(identityFromSeed(new Uint8Array(32).fill(2)).publicKey);
    const first = nodeCrypto.x25519?.(secret, pub);
    secret[0] ^= 0x40;
    const second = nodeCrypto.x25519?.(secret, pub);
    expect(second).not.toEqual(first);
    expect(second).toEqual(nobleCrypto.x25519?.(secret, pub));
  });
});

describe("open on node:crypto gives exactly noble's answers", () => {
  for (const [name, file] of vectorFiles) {
    const seedOf = (who: string) => fromHex(file.identities.find((i) => i.name === who)?.seed ?? "");

    it.each(file.seals)(`${name}: $from → $to opens to the same message`, (v) => {
      const [fast, reference] = bothOpen(seedOf(v.to), v.envelope);
      expect(fast.ok).toBe(true);
      expect(fast).toEqual(reference);
    });
  }

  it.each(vectors.open_failures)("$case for $recipient: the same refusal, word for word", (v) => {
    const seed = fromHex(vectors.identities.find((i) => i.name === v.recipient)?.seed ?? "");
    const [fast, reference] = bothOpen(seed, v.envelope);
    expect(fast.ok).toBe(false);
    expect(fast).toEqual(reference);
  });

  it("on random identities and bodies, intact, tampered, forged or sent to a small-order eph", () => {
    const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(
        seed,
        seed,
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom("intact", "ct", "nackTo", "eph", "low-order eph", "forged sig", "wrong signer"),
        fc.nat(),
        (senderSeed, recipientSeed, body, change, at) => {
          const recipient = identityFromSeed(recipientSeed);
          const id = Uint8Array.from({ length: 16 }, (_, i) => (at + i) & 0xff);
          const esk = Uint8Array.from({ length: 32 }, (_, i) => (at * 7 + i) & 0xff);
          const envelope = envelopeWith(change, senderSeed, recipient.publicKey, body, id, esk, at);
          const [fast, reference] = bothOpen(recipientSeed, envelope);
          expect(fast).toEqual(reference);
          expect(fast.ok).toBe(change === "intact");
        },
      ),
      { numRuns: 60 },
    );
  });
});

function envelopeWith(
  change: string,
  senderSeed: Uint8Array,
  recipientPublicKey: Uint8Array,
  body: Uint8Array,
  id: Uint8Array,
  esk: Uint8Array,
  at: number,
): Record<string, unknown> {
  const sender = identityFromSeed(senderSeed);
  const sealed = seal(sender, recipientPublicKey, body, { id, ephSecret: esk });
  const flip = (field: "ct" | "nackTo" | "eph") => {
    const bytes = Buffer.from(sealed[field], "base64url");
    bytes[at % bytes.length] ^= 1 << (at % 8);
    return { ...sealed, [field]: toB64u(bytes) };
  };
  switch (change) {
    case "ct":
    case "nackTo":
    case "eph":
      return flip(change);
    case "low-order eph":
      return { ...sealed, eph: toB64u(lowOrderEncodings[at % lowOrderEncodings.length]) };
    case "forged sig": {
      const inner = Buffer.concat([sender.publicKey, Buffer.alloc(64, at & 0xff), body]);
      return { ...refSeal(senderSeed, recipientPublicKey, body, id, esk, inner) };
    }
    case "wrong signer": {
      // A valid tag over a signature by someone other than the spk it claims.
      const signed = Buffer.concat([Buffer.from("wisp/msg/v1"), id, recipientPublicKey, body]);
      const otherSig = refSign(esk, signed);
      const inner = Buffer.concat([sender.publicKey, otherSig, body]);
      return { ...refSeal(senderSeed, recipientPublicKey, body, id, esk, inner) };
    }
    default:
      return { ...sealed };
  }
}
