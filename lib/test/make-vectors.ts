/**
 * Writes lib/test/vectors.json: the upstream contract vectors (../shared/vectors/wisp-v1.json by
 * default, or the path given as argument) followed by Wisp's extra cases. Outputs come from
 * lib/src; vectors.test.ts checks every one of them again against node:crypto and libsodium.
 * Run: npx tsx lib/test/make-vectors.ts [upstream.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  type Envelope,
  encodeBody,
  fromHex,
  identityFromSeed,
  mailboxOf,
  seal,
  signRetrieve,
  toB64u,
  toHex,
  utf8,
  x25519PublicFromEd25519,
  x25519SecretFromSeed,
} from "../src/index";
import { ready, refSeal, refSign } from "./reference";

const upstreamPath =
  process.argv[2] ?? fileURLToPath(new URL("../../../shared/vectors/wisp-v1.json", import.meta.url));
const outPath = fileURLToPath(new URL("./vectors.json", import.meta.url));
const upstream = JSON.parse(readFileSync(upstreamPath, "utf8"));
await ready;

/** Fixed pseudo-random bytes: SHA-256 of a label, truncated. */
const fixed = (label: string, n: number) => sha256(utf8(`wisp-v1 extra vector: ${label}`)).slice(0, n);

type IdentityVector = { name: string; seed: string };
const identities: IdentityVector[] = [...upstream.identities];
for (const name of ["dave", "erin"]) {
  const id = identityFromSeed(fixed(`seed ${name}`, 32));
  identities.push({
    name,
    seed: toHex(id.seed),
    pk: toHex(id.publicKey),
    address: id.address,
    mailbox: toHex(mailboxOf(id.publicKey)),
    x25519_pk: toHex(x25519PublicFromEd25519(id.publicKey)),
    x25519_sk: toHex(x25519SecretFromSeed(id.seed)),
  } as IdentityVector);
}
const who = (name: string) => {
  const v = identities.find((i) => i.name === name);
  if (!v) throw new Error(`no identity ${name}`);
  return identityFromSeed(fromHex(v.seed));
};

const extraBodies: [string, string, string][] = [
  [
    "dave",
    "erin",
    JSON.stringify({ type: "text", text: 'line one\nline "two"\t\\ 𝄞 你好 ß', sentAt: 1764115202000 }),
  ],
  ["erin", "dave", JSON.stringify({ type: "text", text: "x".repeat(2000), sentAt: 1764115203000 })],
  [
    "bob",
    "carol",
    new TextDecoder().decode(
      encodeBody({
        type: "receipt",
        ids: ["Ko_JUuPbtX0sieRGUpBVSw", "rdqH2NjkLgILN8gKnCtTvg", "LWLaH_lgYsOePdnePOPtog"],
      }),
    ),
  ],
  ["carol", "dave", JSON.stringify({ type: "reaction", to: "CHE2bjQJ8Vr_LxSzY0xVUA", emoji: "👍" })],
  ["alice", "alice", JSON.stringify({ type: "text", text: "note to self", sentAt: 1764115204000 })],
  ["erin", "bob", JSON.stringify({ type: "text", text: "", sentAt: 0 })],
];
const seals = [...upstream.seals];
extraBodies.forEach(([from, to, body], i) => {
  const id = fixed(`id ${i}`, 16);
  const ephSecret = fixed(`eph ${i}`, 32);
  const envelope = seal(who(from), who(to).publicKey, utf8(body), { id, ephSecret });
  seals.push({ from, to, body_utf8: body, id: toHex(id), eph_secret: toHex(ephSecret), envelope });
});

const retrieves = [...upstream.retrieves];
const extraRetrieves: [string, number, string[], number][] = [
  [
    "bob",
    1764115320000,
    ["Ko_JUuPbtX0sieRGUpBVSw", "rdqH2NjkLgILN8gKnCtTvg", "LWLaH_lgYsOePdnePOPtog"],
    25000,
  ],
  ["alice", 1764115380000, ["CHE2bjQJ8Vr_LxSzY0xVUA"], 5000],
  ["dave", 0, [], 0],
  ["erin", Number.MAX_SAFE_INTEGER, [toB64u(new Uint8Array(16)), toB64u(new Uint8Array(16).fill(255))], 1],
];
for (const [name, ts, ack, wait] of extraRetrieves)
  retrieves.push({ who: name, request: signRetrieve(who(name), ts, ack, wait) });

// Envelopes that open() must refuse. The AEAD-valid ones are sealed on node:crypto with a bad inner.
const base = seals[0].envelope as Envelope; // alice → bob
const alice = who("alice");
const bob = who("bob");
const carol = who("carol");
const failId = fixed("fail id", 16);
const failEsk = fixed("fail eph", 32);
const body = utf8('{"type":"text","text":"forged","sentAt":1764115205000}');
const msg = (id: Uint8Array, rpk: Uint8Array) =>
  new Uint8Array([...utf8("wisp/msg/v1"), ...id, ...rpk, ...body]);
const flip = (text: string, at: number) => {
  const b = Buffer.from(text, "base64url");
  b[at] ^= 1;
  return toB64u(b);
};
const aliceSig = refSign(alice.seed, msg(failId, bob.publicKey));
const openFailures = [
  { recipient: "carol", case: "wrong_mailbox", envelope: base },
  { recipient: "bob", case: "bad_tag", envelope: { ...base, ct: flip(base.ct, 40) } },
  { recipient: "bob", case: "bad_tag", envelope: { ...base, nackTo: flip(base.nackTo, 0) } },
  { recipient: "bob", case: "all_zero_shared", envelope: { ...base, eph: toB64u(new Uint8Array(32)) } },
  {
    recipient: "bob",
    case: "all_zero_shared",
    envelope: {
      ...base,
      eph: toB64u(fromHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")),
    },
  },
  {
    recipient: "bob",
    case: "bad_signature",
    envelope: refSeal(
      alice.seed,
      bob.publicKey,
      body,
      failId,
      failEsk,
      concat(carol.publicKey, aliceSig, body),
    ),
  },
  {
    recipient: "bob",
    case: "bad_signature",
    envelope: refSeal(
      alice.seed,
      bob.publicKey,
      body,
      failId,
      failEsk,
      concat(alice.publicKey, refSign(alice.seed, msg(failId, carol.publicKey)), body),
    ),
  },
  {
    recipient: "bob",
    case: "short_inner",
    envelope: refSeal(
      alice.seed,
      bob.publicKey,
      body,
      failId,
      failEsk,
      concat(alice.publicKey, aliceSig.subarray(0, 63)),
    ),
  },
  { recipient: "bob", case: "bad_length", envelope: { ...base, eph: base.eph.slice(0, 42) } },
  { recipient: "bob", case: "bad_length", envelope: { ...base, id: toB64u(new Uint8Array(15)) } },
  { recipient: "bob", case: "bad_base64url", envelope: { ...base, to: `${base.to.slice(0, 42)}=` } },
  { recipient: "bob", case: "bad_base64url", envelope: { ...base, to: `${base.to.slice(0, 42)}_` } },
  { recipient: "bob", case: "bad_shape", envelope: { ...base, v: 2 } },
];

const addresses = [
  { text: alice.address, valid: true },
  { text: alice.address.slice(0, 42), valid: false, problem: "length" },
  { text: `${alice.address}A`, valid: false, problem: "length" },
  { text: `${alice.address.slice(0, 20)}+${alice.address.slice(21)}`, valid: false, problem: "alphabet" },
  { text: `${alice.address.slice(0, 42)}=`, valid: false, problem: "alphabet" },
  { text: `${alice.address.slice(0, 42)}N`, valid: false, problem: "non_canonical" },
  { text: toB64u(fromHex(`02${"00".repeat(31)}`)), valid: false, problem: "not_a_point" },
  { text: toB64u(fromHex(`01${"00".repeat(31)}`)), valid: false, problem: "small_order" },
  { text: toB64u(withTorsion(alice.publicKey)), valid: false, problem: "not_prime_order" },
];

/** pk plus a point of order 8: on the curve, not small order, but outside the prime-order subgroup. */
function withTorsion(pk: Uint8Array): Uint8Array {
  const torsion = ed25519.Point.fromBytes(
    fromHex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
  );
  return ed25519.Point.fromBytes(pk).add(torsion).toBytes();
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => [...p]));
}

const out = {
  description: `${upstream.description} Extended by Wisp (see docs/vectors.md): more identities, seals, retrieves, plus open_failures and addresses.`,
  identities,
  seals,
  retrieves,
  open_failures: openFailures,
  addresses,
};
writeFileSync(outPath, `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${outPath}`);
