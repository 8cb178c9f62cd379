/**
 * Sealing and opening envelopes, and retrieve-request signatures, exactly as PROTOCOL.md says.
 * Seal: sign (Ed25519), then encrypt to the recipient's X25519 key with an ephemeral key
 * (X25519 → HKDF-SHA256 → ChaCha20-Poly1305, RFC 7748 / 5869 / 8439).
 */
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { fromB64uExact, toB64u } from "./bytes";
import { nobleCrypto, nobleX25519, type WispCrypto } from "./crypto";
import { type Envelope, MAX_ACKS, type RetrieveRequest } from "./envelope";
import type { Identity, RecipientKeys } from "./identity";
import { identityFromSeed, x25519SecretFromSeed } from "./identity-noble";
import { cachedOwnKeys, type OwnKeys, ownKeysOf } from "./own-keys";
import {
  decryptInner,
  finishSeal,
  openParts,
  planSeal,
  retrieveInput,
  retrieveMessage,
  sealKeyInput,
  sealShared,
} from "./seal-parts";

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

/**
 * Seals `body` from `sender` to the holder of `recipient` (PROTOCOL.md, Envelope): a public key,
 * or its {@link recipientKeys} computed once for many seals (they skip its subgroup check).
 * Throws for misuse: wrong lengths, a recipient key that is not a usable point (all-zero shared secret).
 */
export function seal(
  sender: Identity,
  recipient: Uint8Array | RecipientKeys,
  body: Uint8Array,
  options: SealOptions = {},
): Envelope {
  const plan = planSeal(sender, recipient, body, options);
  const sig = ed25519.sign(plan.signed, sender.seed);
  const eph = x25519.getPublicKey(plan.esk);
  const shared = sealShared(nobleX25519(plan.esk, plan.rx));
  return finishSeal(sender, plan, eph, sig, hkdf(sha256, ...sealKeyInput(shared, eph, plan.rx)));
}

/**
 * Opens an envelope addressed to `recipient`. Never throws on input from outside: anything
 * wrong (shape, lengths, base64url, another mailbox, bad tag, bad signature, an all-zero
 * shared secret) answers `{ ok: false, reason }`. The sender is the authenticated `spk` inside.
 * `crypto` runs the X25519 (when it has `x25519`) and the sender's signature check: Node.js
 * clients pass node:crypto's backend, which answers exactly as the default, noble.
 */
export function open(recipient: Identity, envelope: unknown, crypto: WispCrypto = nobleCrypto): OpenResult {
  const parts = openParts(ownKeys(recipient), envelope);
  if (!parts.ok) return parts;
  const { eph, own } = parts;
  const shared = crypto.x25519 ? crypto.x25519(own.x25519Secret, eph) : nobleX25519(own.x25519Secret, eph);
  if (!shared) return { ok: false, reason: '"eph" gives an all-zero X25519 shared secret' };
  const inner = decryptInner(hkdf(sha256, ...sealKeyInput(shared, eph, own.x25519Public)), parts);
  if (!inner.ok) return inner;
  const { senderPublicKey, sig, body, signed } = inner;
  if (!crypto.ed25519Verify(sig, signed, senderPublicKey))
    return { ok: false, reason: "sender signature does not verify" };
  return { ok: true, id: parts.idText, senderPublicKey, sender: toB64u(senderPublicKey), body };
}

function ownKeys(identity: Identity): OwnKeys {
  const { seed } = identity;
  return (
    cachedOwnKeys(identity) ??
    ownKeysOf(identity, identityFromSeed(seed).publicKey, x25519SecretFromSeed(seed))
  );
}

/**
 * Signs a retrieve request: sig over utf8("wisp/retrieve/v1") || pk || u64be(ts) || raw ack ids.
 * `wait` is not signed. Throws for misuse (an ack that is not a 16-byte id, more than 256 acks).
 */
export function signRetrieve(identity: Identity, ts: number, ack: string[], wait: number): RetrieveRequest {
  const sig = ed25519.sign(retrieveInput(identity, ts, ack), identity.seed);
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
