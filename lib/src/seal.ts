/**
 * Sealing and opening envelopes, and retrieve-request signatures, exactly as PROTOCOL.md says.
 * Seal: sign (Ed25519), then encrypt to the recipient's X25519 key with an ephemeral key
 * (X25519 → HKDF-SHA256 → ChaCha20-Poly1305, RFC 7748 / 5869 / 8439).
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { concatBytes, equalBytes, fromB64u, fromB64uExact, toB64u, u64be, utf8 } from "./bytes";
import { nobleCrypto, nobleX25519, type WispCrypto } from "./crypto";
import { type Envelope, MAX_ACKS, type RetrieveRequest } from "./envelope";
import {
  type Identity,
  identityFromSeed,
  mailboxOf,
  x25519PublicFromEd25519,
  x25519SecretFromSeed,
} from "./identity";
import { sealedFields, validateEnvelope } from "./validate";

/** Answer of {@link open}: the authenticated sender and body, or why the envelope was refused. */
export type OpenResult =
  | { ok: true; id: string; senderPublicKey: Uint8Array; sender: string; body: Uint8Array }
  | { ok: false; reason: string };

/** Injectable randomness, so that test vectors are exact. */
export interface SealOptions {
  /** The 16-byte envelope id; random by default. */
  id?: Uint8Array;
  /** The 32-byte ephemeral X25519 secret; random by default. */
  ephSecret?: Uint8Array;
  /** Source of the random bytes not given above (crypto.getRandomValues by default). */
  random?: (n: number) => Uint8Array;
}

const MSG_DOMAIN = utf8("wisp/msg/v1");
const SEAL_INFO = utf8("wisp/seal/v1");
const RETRIEVE_DOMAIN = utf8("wisp/retrieve/v1");

/**
 * Seals `body` from `sender` to the holder of `recipientPublicKey` (PROTOCOL.md, Envelope).
 * Throws for misuse: wrong lengths, a recipient key that is not a usable point (all-zero shared secret).
 */
export function seal(
  sender: Identity,
  recipientPublicKey: Uint8Array,
  body: Uint8Array,
  options: SealOptions = {},
): Envelope {
  const random = options.random ?? randomBytes;
  const id = options.id ?? random(16);
  const esk = options.ephSecret ?? random(32);
  if (id.length !== 16) throw new RangeError(`"id" expected 16 bytes, got ${id.length}`);
  if (esk.length !== 32) throw new RangeError(`"ephSecret" expected 32 bytes, got ${esk.length}`);
  if (!(body instanceof Uint8Array)) throw new TypeError("body expected a Uint8Array");
  const to = mailboxOf(recipientPublicKey);
  const nackTo = mailboxOf(sender.publicKey);
  const sig = ed25519.sign(concatBytes(MSG_DOMAIN, id, recipientPublicKey, body), sender.seed);
  const inner = concatBytes(sender.publicKey, sig, body);
  const eph = x25519.getPublicKey(esk);
  const rx = x25519PublicFromEd25519(recipientPublicKey);
  const shared = nobleX25519(esk, rx);
  if (!shared) throw new RangeError("recipient key gives an all-zero X25519 shared secret");
  const ct = chacha20poly1305(...sealKeys(shared, eph, rx), concatBytes(id, to, nackTo)).encrypt(inner);
  return { v: 1, id: toB64u(id), to: toB64u(to), nackTo: toB64u(nackTo), eph: toB64u(eph), ct: toB64u(ct) };
}

/**
 * Opens an envelope addressed to `recipient`. Never throws on input from outside: anything
 * wrong (shape, lengths, base64url, another mailbox, bad tag, bad signature, an all-zero
 * shared secret) answers `{ ok: false, reason }`. The sender is the authenticated `spk` inside.
 * `crypto` runs the X25519 (when it has `x25519`) and the sender's signature check: Node.js
 * clients pass node:crypto's backend, which answers exactly as the default, noble.
 */
export function open(recipient: Identity, envelope: unknown, crypto: WispCrypto = nobleCrypto): OpenResult {
  const valid = validateEnvelope(sealedFields(envelope));
  if (!valid.ok) return { ok: false, reason: valid.message };
  const env = valid.value.envelope;
  const id = fromB64u(env.id) as Uint8Array;
  const to = fromB64u(env.to) as Uint8Array;
  const nackTo = fromB64u(env.nackTo) as Uint8Array;
  const eph = fromB64u(env.eph) as Uint8Array;
  const ct = fromB64u(env.ct) as Uint8Array;
  const own = ownKeys(recipient);
  if (!equalBytes(to, own.mailbox)) return { ok: false, reason: '"to" is not the mailbox of this identity' };
  const rx = own.x25519Public;
  const shared = crypto.x25519 ? crypto.x25519(own.x25519Secret, eph) : nobleX25519(own.x25519Secret, eph);
  if (!shared) return { ok: false, reason: '"eph" gives an all-zero X25519 shared secret' };
  let inner: Uint8Array;
  try {
    inner = chacha20poly1305(...sealKeys(shared, eph, rx), concatBytes(id, to, nackTo)).decrypt(ct);
  } catch {
    return { ok: false, reason: "authentication tag does not verify (tampered, or not sealed to this key)" };
  }
  if (inner.length < 96)
    return { ok: false, reason: `inner plaintext expected at least 96 bytes, got ${inner.length}` };
  const senderPublicKey = inner.slice(0, 32);
  const sig = inner.slice(32, 96);
  const body = inner.slice(96);
  const signed = concatBytes(MSG_DOMAIN, id, own.publicKey, body);
  if (!crypto.ed25519Verify(sig, signed, senderPublicKey))
    return { ok: false, reason: "sender signature does not verify" };
  return { ok: true, id: env.id, senderPublicKey, sender: toB64u(senderPublicKey), body };
}

/**
 * Signs a retrieve request: sig over utf8("wisp/retrieve/v1") || pk || u64be(ts) || raw ack ids.
 * `wait` is not signed. Throws for misuse (an ack that is not a 16-byte id, more than 256 acks).
 */
export function signRetrieve(identity: Identity, ts: number, ack: string[], wait: number): RetrieveRequest {
  if (ack.length > MAX_ACKS) throw new RangeError(`ack expected at most ${MAX_ACKS} ids, got ${ack.length}`);
  const rawAcks = ack.map((text, i) => {
    const raw = fromB64uExact(text, 16);
    if (!raw) throw new RangeError(`ack[${i}] expected 16 bytes of base64url, got ${JSON.stringify(text)}`);
    return raw;
  });
  const sig = ed25519.sign(retrieveMessage(identity.publicKey, ts, rawAcks), identity.seed);
  return { pk: identity.address, ts, ack: [...ack], wait, sig: toB64u(sig) };
}

/**
 * Checks the signature of a retrieve request (not its freshness: the node compares `ts` with
 * its clock). False for any malformed field; never throws.
 */
export function verifyRetrieve(request: RetrieveRequest, crypto: WispCrypto = nobleCrypto): boolean {
  const input = retrieveSignatureInput(request);
  return input !== null && crypto.ed25519Verify(input.sig, input.message, input.pk);
}

/**
 * {@link verifyRetrieve}, off the calling thread where the backend offers `ed25519VerifyAsync`.
 * Resolves false for any malformed field; never rejects.
 */
export async function verifyRetrieveAsync(
  request: RetrieveRequest,
  crypto: WispCrypto = nobleCrypto,
): Promise<boolean> {
  const input = retrieveSignatureInput(request);
  if (!input) return false;
  if (crypto.ed25519VerifyAsync) return crypto.ed25519VerifyAsync(input.sig, input.message, input.pk);
  return crypto.ed25519Verify(input.sig, input.message, input.pk);
}

/** The signature, signed bytes and key of a retrieve request, or null when a field is malformed. */
function retrieveSignatureInput(
  request: RetrieveRequest,
): { sig: Uint8Array; message: Uint8Array; pk: Uint8Array } | null {
  if (typeof request !== "object" || request === null) return null;
  const { pk: pkText, ts, ack, sig: sigText } = request;
  if (typeof pkText !== "string" || typeof sigText !== "string") return null;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0) return null;
  if (!Array.isArray(ack) || ack.length > MAX_ACKS) return null;
  const pk = fromB64uExact(pkText, 32);
  const sig = fromB64uExact(sigText, 64);
  if (!pk || !sig) return null;
  const rawAcks: Uint8Array[] = [];
  for (const text of ack) {
    const raw = typeof text === "string" ? fromB64uExact(text, 16) : null;
    if (!raw) return null;
    rawAcks.push(raw);
  }
  return { sig, message: retrieveMessage(pk, ts, rawAcks), pk };
}

type OwnKeys = {
  seed: Uint8Array;
  publicKey: Uint8Array;
  mailbox: Uint8Array;
  x25519Public: Uint8Array;
  x25519Secret: Uint8Array;
};
// Opening a mailbox's worth of envelopes would otherwise re-derive these (a subgroup check) each time.
const ownKeysCache = new WeakMap<Identity, OwnKeys>();

function ownKeys(identity: Identity): OwnKeys {
  const cached = ownKeysCache.get(identity);
  if (cached && equalBytes(cached.seed, identity.seed)) return cached;
  const fresh = identityFromSeed(identity.seed);
  const keys = {
    seed: fresh.seed,
    publicKey: fresh.publicKey,
    mailbox: mailboxOf(fresh.publicKey),
    x25519Public: x25519PublicFromEd25519(fresh.publicKey),
    x25519Secret: x25519SecretFromSeed(fresh.seed),
  };
  ownKeysCache.set(identity, keys);
  return keys;
}

function retrieveMessage(pk: Uint8Array, ts: number, rawAcks: Uint8Array[]): Uint8Array {
  return concatBytes(RETRIEVE_DOMAIN, pk, u64be(ts), ...rawAcks);
}

/** okm = HKDF-SHA256(shared, salt = eph || rx, info = "wisp/seal/v1", 44): key = okm[0..32], nonce = okm[32..44]. */
function sealKeys(shared: Uint8Array, eph: Uint8Array, rx: Uint8Array): [Uint8Array, Uint8Array] {
  const okm = hkdf(sha256, shared, concatBytes(eph, rx), SEAL_INFO, 44);
  return [okm.slice(0, 32), okm.slice(32, 44)];
}
