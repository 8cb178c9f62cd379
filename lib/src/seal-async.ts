/**
 * seal, open and signRetrieve with the asymmetric steps on an {@link AsyncWispCrypto} backend
 * (WebCrypto in the browser: about a tenth of noble's time, and off the main thread). The bytes
 * are exactly those of the synchronous functions in seal.ts; only who computes them differs.
 */
import { toB64u } from "./bytes";
import { type AsyncWispCrypto, X25519_BASE_POINT } from "./crypto";
import type { Envelope, RetrieveRequest } from "./envelope";
import {
  type Identity,
  identityFromSeedAsync,
  type RecipientKeys,
  x25519SecretFromSeedAsync,
} from "./identity";
import { cachedOwnKeys, type OwnKeys, ownKeysOf } from "./own-keys";
import type { OpenResult, SealOptions } from "./seal";
import {
  decryptInner,
  finishSeal,
  openParts,
  planSeal,
  retrieveInput,
  sealKeyInput,
  sealShared,
} from "./seal-parts";

/**
 * {@link seal} on `crypto`: the signature and both X25519 (the ephemeral public key, the shared
 * secret) run side by side, then the HKDF. Rejects for misuse, as seal throws.
 */
export async function sealAsync(
  sender: Identity,
  recipient: Uint8Array | RecipientKeys,
  body: Uint8Array,
  crypto: AsyncWispCrypto,
  options: SealOptions = {},
): Promise<Envelope> {
  const plan = planSeal(sender, recipient, body, options);
  const [eph, sig, shared] = await Promise.all([
    crypto.x25519(plan.esk, X25519_BASE_POINT),
    crypto.ed25519Sign(sender.seed, plan.signed),
    crypto.x25519(plan.esk, plan.rx),
  ]);
  // Never null for a 32-byte secret: X25519 of the base point is a public key, not all-zero.
  if (!eph) throw new RangeError("ephemeral secret gives no X25519 public key");
  const okm = await crypto.hkdfSha256(...sealKeyInput(sealShared(shared), eph, plan.rx));
  return finishSeal(sender, plan, eph, sig, okm);
}

/** {@link open} on `crypto`. Never rejects on input from outside: anything wrong answers `{ ok: false, reason }`. */
export async function openAsync(
  recipient: Identity,
  envelope: unknown,
  crypto: AsyncWispCrypto,
): Promise<OpenResult> {
  const parts = openParts(await ownKeysAsync(recipient, crypto), envelope);
  if (!parts.ok) return parts;
  const shared = await crypto.x25519(parts.own.x25519Secret, parts.eph);
  if (!shared) return { ok: false, reason: '"eph" gives an all-zero X25519 shared secret' };
  const okm = await crypto.hkdfSha256(...sealKeyInput(shared, parts.eph, parts.own.x25519Public));
  const inner = decryptInner(okm, parts);
  if (!inner.ok) return inner;
  const { senderPublicKey, sig, body, signed } = inner;
  if (!(await crypto.ed25519Verify(sig, signed, senderPublicKey)))
    return { ok: false, reason: "sender signature does not verify" };
  return { ok: true, id: parts.idText, senderPublicKey, sender: toB64u(senderPublicKey), body };
}

/** {@link signRetrieve} on `crypto`. Rejects for misuse, as signRetrieve throws. */
export async function signRetrieveAsync(
  identity: Identity,
  ts: number,
  ack: string[],
  wait: number,
  crypto: AsyncWispCrypto,
): Promise<RetrieveRequest> {
  const sig = await crypto.ed25519Sign(identity.seed, retrieveInput(identity, ts, ack));
  return { pk: identity.address, ts, ack: [...ack], wait, sig: toB64u(sig) };
}

async function ownKeysAsync(identity: Identity, crypto: AsyncWispCrypto): Promise<OwnKeys> {
  const cached = cachedOwnKeys(identity);
  if (cached) return cached;
  const [fresh, x25519Secret] = await Promise.all([
    identityFromSeedAsync(identity.seed, crypto),
    x25519SecretFromSeedAsync(identity.seed, crypto),
  ]);
  return ownKeysOf(identity, fresh.publicKey, x25519Secret);
}
