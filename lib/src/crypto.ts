/**
 * The primitives a node runs on every request and a client runs on every `open`, behind one small
 * interface so Node.js code can use node:crypto (node/src/crypto/node-crypto.ts) while the
 * browser keeps @noble.
 */
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";

/** Hashing, signature verification and X25519, as a swappable backend. Implementations never throw. */
export interface WispCrypto {
  /** SHA-256 of `data`, 32 bytes. */
  sha256(data: Uint8Array): Uint8Array;
  /**
   * RFC 8032 Ed25519 verification. Answers false, never throws, for a wrong signature and for
   * malformed input alike (wrong lengths, a public key that is not a point).
   */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /**
   * Optional: the same answer as {@link WispCrypto.ed25519Verify}, computed off the calling thread
   * (node:crypto's thread pool), so a busy node verifies on its other cores. Never rejects.
   */
  ed25519VerifyAsync?(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  /**
   * Optional: RFC 7748 X25519(secret, publicKey), 32 bytes; null, never a throw, when the result
   * is all-zero (§6.1: `publicKey` is a small-order point) or either input is not 32 bytes.
   * `open` uses it for the shared secret; without it, `open` runs {@link nobleX25519}.
   */
  x25519?(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | null;
}

/** RFC 7748's base point u = 9: X25519(secret, X25519_BASE_POINT) is the public key of `secret`. */
export const X25519_BASE_POINT: Uint8Array = Uint8Array.of(9, ...new Uint8Array(31));

/** X25519 on @noble/curves with the contract of {@link WispCrypto.x25519}. */
export function nobleX25519(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | null {
  try {
    const shared = x25519.getSharedSecret(secret, publicKey);
    return shared.every((b) => b === 0) ? null : shared;
  } catch {
    return null;
  }
}

/** The browser-safe backend on @noble/hashes and @noble/curves. */
export const nobleCrypto: WispCrypto = {
  sha256: (data) => sha256(data),
  ed25519Verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      // zip215: false is RFC 8032's strict decoding, which is what OpenSSL (node:crypto) does too.
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
  x25519: nobleX25519,
};

/**
 * The asymmetric steps of seal, open and signRetrieve, and a seal's HKDF, as promises, for
 * backends that answer asynchronously: WebCrypto's Ed25519, X25519 and HKDF (browsers, Node.js).
 * Every implementation gives the same bytes and answers as {@link nobleAsyncCrypto}; none rejects
 * for hostile input.
 */
export interface AsyncWispCrypto {
  /** RFC 8032 §5.1.5: the Ed25519 public key of `seed` (32 bytes). Rejects for a seed of another length. */
  ed25519PublicKey(seed: Uint8Array): Promise<Uint8Array>;
  /** RFC 8032 Ed25519 signature of `message` by the key of `seed` (deterministic: same bytes everywhere). */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /** As {@link WispCrypto.ed25519Verify}: false for a wrong signature and malformed input alike. */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  /**
   * As {@link WispCrypto.x25519}: null for an all-zero result or inputs that are not 32 bytes.
   * With {@link X25519_BASE_POINT} it answers the public key of `secret` (a seal's `eph`).
   */
  x25519(secret: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array | null>;
  /** SHA-512 of `data`, 64 bytes (an identity's X25519 secret comes from the seed's). */
  sha512(data: Uint8Array): Promise<Uint8Array>;
  /** RFC 5869 HKDF-SHA256 of `ikm`, `length` bytes (a seal's key and nonce). */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array>;
}

/** {@link AsyncWispCrypto} on noble: the fallback where WebCrypto lacks Ed25519 or X25519. */
export const nobleAsyncCrypto: AsyncWispCrypto = {
  ed25519PublicKey: async (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: async (seed, message) => ed25519.sign(message, seed),
  ed25519Verify: async (signature, message, publicKey) =>
    nobleCrypto.ed25519Verify(signature, message, publicKey),
  x25519: async (secret, publicKey) => nobleX25519(secret, publicKey),
  sha512: async (data) => sha512(data),
  hkdfSha256: async (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
};
