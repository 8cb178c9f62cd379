/** Identities (PROTOCOL.md, Identity): Ed25519 key pairs, their addresses, mailboxes and X25519 keys. */
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { concatBytes, fromB64uExact, toB64u, utf8 } from "./bytes";
import type { AsyncWispCrypto, WispCrypto } from "./crypto";
import { describeLength, publicKeyProblem, x25519PublicFromEd25519 } from "./ed25519-point";

export { publicKeyProblem, x25519PublicFromEd25519 };

/** An Ed25519 key pair. `seed` is the secret; `address` is b64u(publicKey), what a person shares. */
export interface Identity {
  seed: Uint8Array;
  publicKey: Uint8Array;
  address: string;
}

/** Answer of {@link parseAddress}: the public key, or a sentence saying what is wrong. */
export type ParsedAddress = { ok: true; publicKey: Uint8Array } | { ok: false; error: string };

const MAILBOX_DOMAIN = utf8("wisp/mailbox/v1");
const ADDRESS_CHARS = 43;
const B64U_CHAR = /^[A-Za-z0-9_-]$/;

/**
 * Reads an address someone shared (b64u of a 32-byte Ed25519 public key, 43 characters).
 * Surrounding whitespace is ignored; everything else wrong answers a precise error.
 */
export function parseAddress(text: string): ParsedAddress {
  if (typeof text !== "string") return { ok: false, error: "address must be a string" };
  const trimmed = text.trim();
  if (trimmed.length !== ADDRESS_CHARS)
    return {
      ok: false,
      error: `address expected ${ADDRESS_CHARS} characters, got ${trimmed.length}`,
    };
  for (let i = 0; i < trimmed.length; i++) {
    if (!B64U_CHAR.test(trimmed[i]))
      return {
        ok: false,
        error: `address has ${JSON.stringify(trimmed[i])} at position ${i + 1}, outside the base64url alphabet`,
      };
  }
  const publicKey = fromB64uExact(trimmed, 32);
  if (!publicKey)
    return { ok: false, error: "address is not canonical base64url (its last character has stray bits)" };
  const pointProblem = publicKeyProblem(publicKey);
  if (pointProblem) return { ok: false, error: `address ${pointProblem}` };
  return { ok: true, publicKey };
}

/**
 * mailbox(pk) = SHA-256(utf8("wisp/mailbox/v1") || pk): the recipient's DHT key, 32 bytes. On
 * noble's SHA-256 without `crypto`, not through nobleCrypto, so a web app that never uses
 * nobleCrypto does not carry its X25519.
 */
export function mailboxOf(publicKey: Uint8Array, crypto?: WispCrypto): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32)
    throw new RangeError(`public key expected 32 bytes, got ${describeLength(publicKey)}`);
  const input = concatBytes(MAILBOX_DOMAIN, publicKey);
  return crypto ? crypto.sha256(input) : sha256(input);
}

/** b64u(mailbox(pk)): the `to` of envelopes sealed to this key (and `nackTo` of those it sends). */
export function mailboxAddress(publicKey: Uint8Array, crypto?: WispCrypto): string {
  return toB64u(mailboxOf(publicKey, crypto));
}

/** What sealing to one person needs, derived once: their key, mailbox and X25519 key. */
export interface RecipientKeys {
  readonly publicKey: Uint8Array;
  readonly mailbox: Uint8Array;
  readonly x25519Public: Uint8Array;
}

/**
 * The {@link RecipientKeys} of a public key, for many seals to the same person (the subgroup
 * check behind {@link x25519PublicFromEd25519} costs about a millisecond in a browser). Throws
 * RangeError for a key nothing can be sealed to, as seal does.
 */
export function recipientKeys(publicKey: Uint8Array): RecipientKeys {
  const x25519Public = x25519PublicFromEd25519(publicKey);
  return Object.freeze({
    publicKey: Uint8Array.from(publicKey),
    mailbox: mailboxOf(publicKey),
    x25519Public,
  });
}

/**
 * {@link identityFromSeed} on `crypto`: the web app derives its identity on WebCrypto and carries
 * no noble Ed25519 (EdDSA, SHA-512). Rejects with RangeError for a seed of another length.
 */
export async function identityFromSeedAsync(seed: Uint8Array, crypto: AsyncWispCrypto): Promise<Identity> {
  checkSeed(seed);
  const publicKey = await crypto.ed25519PublicKey(seed);
  return { seed: Uint8Array.from(seed), publicKey, address: toB64u(publicKey) };
}

/** {@link generateIdentity} on `crypto`. */
export function generateIdentityAsync(
  crypto: AsyncWispCrypto,
  random: (n: number) => Uint8Array = randomBytes,
): Promise<Identity> {
  return identityFromSeedAsync(random(32), crypto);
}

/**
 * {@link x25519SecretFromSeed} on `crypto`: the first half of SHA-512(seed), clamped as RFC 7748
 * §5 decodes an X25519 scalar (what libsodium's crypto_sign_ed25519_sk_to_curve25519 stores).
 */
export async function x25519SecretFromSeedAsync(
  seed: Uint8Array,
  crypto: AsyncWispCrypto,
): Promise<Uint8Array> {
  checkSeed(seed);
  const secret = (await crypto.sha512(seed)).slice(0, 32);
  secret[0] &= 248;
  secret[31] &= 127;
  secret[31] |= 64;
  return secret;
}

export function checkSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== 32)
    throw new RangeError(`seed expected 32 bytes, got ${describeLength(seed)}`);
}
