/**
 * An identity's own keys for opening envelopes, derived once: seal.ts derives them on noble,
 * seal-async.ts on its backend. Not exported from the package: its shapes are internal.
 */
import { equalBytes } from "./bytes";
import { type Identity, mailboxOf, x25519PublicFromEd25519 } from "./identity";

export type OwnKeys = {
  seed: Uint8Array;
  publicKey: Uint8Array;
  mailbox: Uint8Array;
  x25519Public: Uint8Array;
  x25519Secret: Uint8Array;
};
// Opening a mailbox's worth of envelopes would otherwise re-derive these (a subgroup check) each time.
const ownKeysCache = new WeakMap<Identity, OwnKeys>();

/** The keys {@link ownKeysOf} derived for `identity`, while its seed is still the same. */
export function cachedOwnKeys(identity: Identity): OwnKeys | undefined {
  const cached = ownKeysCache.get(identity);
  return cached && equalBytes(cached.seed, identity.seed) ? cached : undefined;
}

/**
 * An identity's own keys from the public key and X25519 secret its seed gives (seal.ts derives
 * them on noble, seal-async.ts on its backend), kept for the next envelope.
 */
export function ownKeysOf(identity: Identity, publicKey: Uint8Array, x25519Secret: Uint8Array): OwnKeys {
  const keys = {
    seed: Uint8Array.from(identity.seed),
    publicKey,
    mailbox: mailboxOf(publicKey),
    x25519Public: x25519PublicFromEd25519(publicKey),
    x25519Secret,
  };
  ownKeysCache.set(identity, keys);
  return keys;
}
