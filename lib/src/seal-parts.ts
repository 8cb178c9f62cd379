/**
 * The steps of seal and open that do not depend on who runs the asymmetric crypto, shared by
 * seal.ts (synchronous, noble or node:crypto) and seal-async.ts (WebCrypto). Not exported from
 * the package: its shapes are internal.
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { concatBytes, equalBytes, fromB64u, fromB64uExact, toB64u, u64be, utf8 } from "./bytes";
import { type Envelope, MAX_ACKS } from "./envelope";
import { type Identity, mailboxOf, type RecipientKeys, recipientKeys } from "./identity";
import type { OwnKeys } from "./own-keys";
import type { SealOptions } from "./seal";
import { sealedFields, validateEnvelope } from "./validate";

export const MSG_DOMAIN = utf8("wisp/msg/v1");
const SEAL_INFO = utf8("wisp/seal/v1");
const RETRIEVE_DOMAIN = utf8("wisp/retrieve/v1");

export function retrieveMessage(pk: Uint8Array, ts: number, rawAcks: Uint8Array[]): Uint8Array {
  return concatBytes(RETRIEVE_DOMAIN, pk, u64be(ts), ...rawAcks);
}

/** What a retrieve request signs; throws for misuse (an ack that is not a 16-byte id, more than 256 acks). */
export function retrieveInput(identity: Identity, ts: number, ack: string[]): Uint8Array {
  if (ack.length > MAX_ACKS) throw new RangeError(`ack expected at most ${MAX_ACKS} ids, got ${ack.length}`);
  const rawAcks = ack.map((text, i) => {
    const raw = fromB64uExact(text, 16);
    if (!raw) throw new RangeError(`ack[${i}] expected 16 bytes of base64url, got ${JSON.stringify(text)}`);
    return raw;
  });
  return retrieveMessage(identity.publicKey, ts, rawAcks);
}

/**
 * The arguments of HKDF-SHA256 (ikm, salt, info, length) that give a seal's key and nonce:
 * okm = HKDF-SHA256(shared, salt = eph || rx, info = "wisp/seal/v1", 44). seal.ts runs noble's
 * HKDF on them, seal-async.ts its backend's (WebCrypto in the web app).
 */
export function sealKeyInput(
  shared: Uint8Array,
  eph: Uint8Array,
  rx: Uint8Array,
): [Uint8Array, Uint8Array, Uint8Array, number] {
  return [shared, concatBytes(eph, rx), SEAL_INFO, 44];
}

/** ChaCha20-Poly1305 with key = okm[0..32], nonce = okm[32..44] and AAD = id || to || nackTo. */
function sealCipher(okm: Uint8Array, id: Uint8Array, to: Uint8Array, nackTo: Uint8Array) {
  return chacha20poly1305(okm.slice(0, 32), okm.slice(32, 44), concatBytes(id, to, nackTo));
}

/** The X25519 shared secret of a seal; throws where the recipient key gives an all-zero one. */
export function sealShared(shared: Uint8Array | null): Uint8Array {
  if (!shared) throw new RangeError("recipient key gives an all-zero X25519 shared secret");
  return shared;
}

/**
 * What a seal signs and encrypts to, before any asymmetric step (the ephemeral public key is one:
 * seal.ts derives it on noble, seal-async.ts on its backend). Throws for misuse, as seal does.
 */
export interface SealPlan {
  id: Uint8Array;
  esk: Uint8Array;
  to: Uint8Array;
  nackTo: Uint8Array;
  rx: Uint8Array;
  body: Uint8Array;
  /** The Ed25519 signature's input: utf8("wisp/msg/v1") || id || recipient pk || body. */
  signed: Uint8Array;
}

export function planSeal(
  sender: Identity,
  recipient: Uint8Array | RecipientKeys,
  body: Uint8Array,
  options: SealOptions,
): SealPlan {
  const random = options.random ?? randomBytes;
  const id = options.id ?? random(16);
  const esk = options.ephSecret ?? random(32);
  if (id.length !== 16) throw new RangeError(`"id" expected 16 bytes, got ${id.length}`);
  if (esk.length !== 32) throw new RangeError(`"ephSecret" expected 32 bytes, got ${esk.length}`);
  if (!(body instanceof Uint8Array)) throw new TypeError("body expected a Uint8Array");
  const keys = recipient instanceof Uint8Array ? recipientKeys(recipient) : recipient;
  return {
    id,
    esk,
    to: keys.mailbox,
    nackTo: mailboxOf(sender.publicKey),
    rx: keys.x25519Public,
    body,
    signed: concatBytes(MSG_DOMAIN, id, keys.publicKey, body),
  };
}

/** The envelope, once the ephemeral public key, the signature and the HKDF output ({@link sealKeyInput}) are known. */
export function finishSeal(
  sender: Identity,
  plan: SealPlan,
  eph: Uint8Array,
  sig: Uint8Array,
  okm: Uint8Array,
): Envelope {
  const { id, to, nackTo } = plan;
  const inner = concatBytes(sender.publicKey, sig, plan.body);
  const ct = sealCipher(okm, id, to, nackTo).encrypt(inner);
  return { v: 1, id: toB64u(id), to: toB64u(to), nackTo: toB64u(nackTo), eph: toB64u(eph), ct: toB64u(ct) };
}

export type OpenParts =
  | {
      ok: true;
      idText: string;
      id: Uint8Array;
      to: Uint8Array;
      nackTo: Uint8Array;
      eph: Uint8Array;
      ct: Uint8Array;
      own: OwnKeys;
    }
  | { ok: false; reason: string };

/** An envelope's fields, decoded and checked to be addressed to `own`; never throws. */
export function openParts(own: OwnKeys, envelope: unknown): OpenParts {
  const valid = validateEnvelope(sealedFields(envelope));
  if (!valid.ok) return { ok: false, reason: valid.message };
  const env = valid.value.envelope;
  const id = fromB64u(env.id) as Uint8Array;
  const to = fromB64u(env.to) as Uint8Array;
  const nackTo = fromB64u(env.nackTo) as Uint8Array;
  const eph = fromB64u(env.eph) as Uint8Array;
  const ct = fromB64u(env.ct) as Uint8Array;
  if (!equalBytes(to, own.mailbox)) return { ok: false, reason: '"to" is not the mailbox of this identity' };
  return { ok: true, idText: env.id, id, to, nackTo, eph, ct, own };
}

export type InnerResult =
  | { ok: true; senderPublicKey: Uint8Array; sig: Uint8Array; body: Uint8Array; signed: Uint8Array }
  | { ok: false; reason: string };

/**
 * Decrypts the inner plaintext with the HKDF output of `sealKeyInput(shared, eph, own.x25519Public)`
 * and splits it; the caller still has to verify `sig` over `signed`.
 */
export function decryptInner(okm: Uint8Array, parts: Extract<OpenParts, { ok: true }>): InnerResult {
  const { id, to, nackTo, ct, own } = parts;
  let inner: Uint8Array;
  try {
    inner = sealCipher(okm, id, to, nackTo).decrypt(ct);
  } catch {
    return { ok: false, reason: "authentication tag does not verify (tampered, or not sealed to this key)" };
  }
  if (inner.length < 96)
    return { ok: false, reason: `inner plaintext expected at least 96 bytes, got ${inner.length}` };
  const senderPublicKey = inner.slice(0, 32);
  const sig = inner.slice(32, 96);
  const body = inner.slice(96);
  return { ok: true, senderPublicKey, sig, body, signed: concatBytes(MSG_DOMAIN, id, own.publicKey, body) };
}
