import { beforeAll, describe, expect, it } from "vitest";
import {
  fromB64u,
  fromHex,
  identityFromSeed,
  mailboxAddress,
  mailboxOf,
  open,
  parseAddress,
  seal,
  signRetrieve,
  toB64u,
  toHex,
  utf8,
  verifyRetrieve,
  x25519PublicFromEd25519,
  x25519SecretFromSeed,
} from "../src/index";
import {
  hex,
  ready,
  refDecrypt,
  refMailbox,
  refPublicKey,
  refRetrieveSig,
  refSeal,
  refVerify,
  sodiumX25519Public,
  sodiumX25519Secret,
} from "./reference";
import vectors from "./vectors.json";

const seedOf = (name: string) => {
  const v = vectors.identities.find((i) => i.name === name);
  if (!v) throw new Error(`vectors.json has no identity ${name}`);
  return fromHex(v.seed);
};

beforeAll(async () => {
  await ready;
});

describe("identity vectors", () => {
  it.each(vectors.identities)("$name: keys, address, mailbox and X25519 keys match", (v) => {
    const id = identityFromSeed(fromHex(v.seed));
    expect(toHex(id.publicKey)).toBe(v.pk);
    expect(id.address).toBe(v.address);
    expect(toHex(mailboxOf(id.publicKey))).toBe(v.mailbox);
    expect(mailboxAddress(id.publicKey)).toBe(toB64u(fromHex(v.mailbox)));
    expect(toHex(x25519PublicFromEd25519(id.publicKey))).toBe(v.x25519_pk);
    expect(toHex(x25519SecretFromSeed(id.seed))).toBe(v.x25519_sk);
  });

  it.each(vectors.identities)("$name: node:crypto and libsodium agree with the vector", (v) => {
    const seed = fromHex(v.seed);
    expect(hex(refPublicKey(seed))).toBe(v.pk);
    expect(hex(refMailbox(fromHex(v.pk)))).toBe(v.mailbox);
    expect(hex(sodiumX25519Public(fromHex(v.pk)))).toBe(v.x25519_pk);
    expect(hex(sodiumX25519Secret(seed))).toBe(v.x25519_sk);
  });
});

describe("seal vectors", () => {
  it.each(vectors.seals)("$from → $to: seal reproduces the envelope byte for byte", (v) => {
    const sender = identityFromSeed(seedOf(v.from));
    const recipient = identityFromSeed(seedOf(v.to));
    const envelope = seal(sender, recipient.publicKey, utf8(v.body_utf8), {
      id: fromHex(v.id),
      ephSecret: fromHex(v.eph_secret),
    });
    expect(JSON.stringify(envelope)).toBe(JSON.stringify(v.envelope));
  });

  it.each(vectors.seals)("$from → $to: node:crypto seals the same envelope", (v) => {
    const recipient = identityFromSeed(seedOf(v.to));
    const envelope = refSeal(
      seedOf(v.from),
      recipient.publicKey,
      utf8(v.body_utf8),
      fromHex(v.id),
      fromHex(v.eph_secret),
    );
    expect(envelope).toEqual(v.envelope);
  });

  it.each(vectors.seals)("$from → $to: open gives the body and the sender", (v) => {
    const sender = identityFromSeed(seedOf(v.from));
    const result = open(identityFromSeed(seedOf(v.to)), v.envelope);
    if (!result.ok) throw new Error(result.reason);
    expect(new TextDecoder().decode(result.body)).toBe(v.body_utf8);
    expect(result.sender).toBe(sender.address);
    expect(result.senderPublicKey).toEqual(sender.publicKey);
    expect(result.id).toBe(v.envelope.id);
  });
});

describe("retrieve vectors", () => {
  it.each(vectors.retrieves)("$who at $request.ts: signRetrieve reproduces the request", (v) => {
    const id = identityFromSeed(seedOf(v.who));
    const r = v.request;
    expect(signRetrieve(id, r.ts, r.ack, r.wait)).toEqual(r);
    expect(refRetrieveSig(id.seed, r.ts, r.ack)).toBe(r.sig);
    expect(verifyRetrieve(r)).toBe(true);
  });
});

describe("open_failures vectors", () => {
  const expected: Record<string, RegExp> = {
    wrong_mailbox: /mailbox/,
    bad_tag: /tag/,
    all_zero_shared: /all-zero/,
    bad_signature: /signature/,
    short_inner: /at least (112|96) bytes/,
    bad_length: /expected \d+ bytes|base64url/,
    bad_base64url: /base64url/,
    bad_shape: /"v"|unknown field/,
  };

  it.each(vectors.open_failures)("$case for $recipient is refused", (v) => {
    const result = open(identityFromSeed(seedOf(v.recipient)), v.envelope);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(expected[v.case]);
  });

  it.each(vectors.open_failures.filter((v) => v.case === "bad_signature" || v.case === "short_inner"))(
    "$case: the AEAD tag is valid (node:crypto), so only the inner check can refuse it",
    (v) => {
      const inner = refDecrypt(seedOf(v.recipient), v.envelope as Parameters<typeof refDecrypt>[1]);
      expect(inner).not.toBeNull();
      if (inner && inner.length >= 96) {
        const body = inner.subarray(96);
        const message = Buffer.concat([
          Buffer.from("wisp/msg/v1"),
          fromB64u(v.envelope.id) as Uint8Array,
          identityFromSeed(seedOf(v.recipient)).publicKey,
          body,
        ]);
        expect(refVerify(inner.subarray(32, 96), message, inner.subarray(0, 32))).toBe(false);
      }
    },
  );
});

describe("addresses vectors", () => {
  const expected: Record<string, RegExp> = {
    length: /expected 43 characters/,
    alphabet: /outside the base64url alphabet/,
    non_canonical: /canonical/,
    not_a_point: /not a point/,
    small_order: /small order/,
    not_prime_order: /prime-order subgroup/,
  };

  it.each(vectors.addresses)("$text is valid: $valid", (v) => {
    const parsed = parseAddress(v.text);
    expect(parsed.ok).toBe(v.valid);
    if (!parsed.ok && v.problem) expect(parsed.error).toMatch(expected[v.problem]);
    if (parsed.ok) expect(toB64u(parsed.publicKey)).toBe(v.text);
  });

  it.each(vectors.addresses.filter((v) => v.problem && /point|order/.test(v.problem)))(
    "$problem: libsodium refuses to convert it to X25519 too",
    (v) => {
      expect(() => sodiumX25519Public(fromB64u(v.text) as Uint8Array)).toThrow();
    },
  );
});
