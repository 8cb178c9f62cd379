/**
 * Identities from their seed on noble's Ed25519 and SHA-512, synchronously: Node.js, the CLI and
 * tests. The web app uses identity.ts's asynchronous versions on WebCrypto, so its bundle has none
 * of noble's EdDSA.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { toB64u } from "./bytes";
import { checkSeed, type Identity } from "./identity";

/** A new identity from 32 random bytes of `random` (crypto.getRandomValues by default). */
export function generateIdentity(random: (n: number) => Uint8Array = randomBytes): Identity {
  return identityFromSeed(random(32));
}

/** Restores an identity from its 32-byte seed. Throws RangeError for any other length. */
export function identityFromSeed(seed: Uint8Array): Identity {
  checkSeed(seed);
  const publicKey = ed25519.getPublicKey(seed);
  return { seed: Uint8Array.from(seed), publicKey, address: toB64u(publicKey) };
}

/** The X25519 secret of an Ed25519 seed, as libsodium's crypto_sign_ed25519_sk_to_curve25519 (clamped). */
export function x25519SecretFromSeed(seed: Uint8Array): Uint8Array {
  checkSeed(seed);
  return ed25519.utils.toMontgomerySecret(seed);
}
