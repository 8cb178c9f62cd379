/**
 * The WispCrypto backend on node:crypto (OpenSSL): the node's hot paths (hashing, verifying
 * retrieves) and Node.js clients' `open` (X25519 and the sender's signature).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
  verify,
} from "node:crypto";
import type { WispCrypto } from "@wisp/lib";

// Raw public keys are imported as JWK (RFC 8037 OKP), which OpenSSL takes as raw bytes: 16 µs
// against 110 µs for the same key as DER SubjectPublicKeyInfo (~165 against ~400 µs cold), whose
// decoder lookup dominates. Private X25519 keys (cached) are PKCS#8 DER (RFC 8410 §7): the
// OCTET STRING of the 32 raw bytes after this header.
const X25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, KeyObject | null>();

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const cacheKey = Buffer.from(publicKey).toString("base64");
  const cached = keyCache.get(cacheKey);
  if (cached !== undefined) {
    // Re-inserting keeps the Map in least-recently-used order.
    keyCache.delete(cacheKey);
    keyCache.set(cacheKey, cached);
    return cached;
  }
  let key: KeyObject | null;
  try {
    key = okpPublicKey("Ed25519", publicKey);
  } catch {
    key = null;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(cacheKey, key);
  return key;
}

function okpPublicKey(curve: "Ed25519" | "X25519", raw: Uint8Array): KeyObject {
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString("base64url");
  return createPublicKey({ key: { kty: "OKP", crv: curve, x }, format: "jwk" });
}

function derKey(prefix: Uint8Array, raw: Uint8Array): Buffer {
  const der = Buffer.allocUnsafe(prefix.length + raw.length);
  der.set(prefix);
  der.set(raw, prefix.length);
  return der;
}

// A client opens with its own secret again and again: keep its KeyObject, keyed by the secret's
// array (lib caches that array per identity) and checked against a copy of its bytes, so an
// array changed in place is never answered with a stale key.
const privateKeyCache = new WeakMap<Uint8Array, { bytes: Buffer; key: KeyObject }>();

function x25519PrivateKey(secret: Uint8Array): KeyObject {
  const cached = privateKeyCache.get(secret);
  if (cached?.bytes.equals(secret)) return cached.key;
  const key = createPrivateKey({ key: derKey(X25519_PKCS8_PREFIX, secret), format: "der", type: "pkcs8" });
  privateKeyCache.set(secret, { bytes: Buffer.from(secret), key });
  return key;
}

function x25519(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | null {
  if (secret.length !== 32 || publicKey.length !== 32) return null;
  try {
    const shared = diffieHellman({
      privateKey: x25519PrivateKey(secret),
      publicKey: okpPublicKey("X25519", publicKey),
    });
    // OpenSSL already refuses an all-zero result (RFC 7748 §6.1) by throwing; checked again so
    // the contract does not rest on that.
    return shared.every((b) => b === 0) ? null : new Uint8Array(shared.buffer, shared.byteOffset, 32);
  } catch {
    return null;
  }
}

/** SHA-256, Ed25519 verification and X25519 on node:crypto. Never throws; KeyObjects are cached (LRU, 1024 keys). */
export const nodeCrypto: WispCrypto = {
  sha256(data) {
    return new Uint8Array(createHash("sha256").update(data).digest());
  },
  ed25519Verify(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    const key = publicKeyObject(publicKey);
    if (!key) return false;
    try {
      return verify(null, message, key, signature);
    } catch {
      return false;
    }
  },
  ed25519VerifyAsync(signature, message, publicKey) {
    if (signature.length !== 64 || publicKey.length !== 32) return Promise.resolve(false);
    const key = publicKeyObject(publicKey);
    if (!key) return Promise.resolve(false);
    // With a callback, node:crypto verifies on libuv's thread pool, off the event loop.
    return new Promise((resolve) => {
      try {
        verify(null, message, key, signature, (error, ok) => resolve(!error && ok));
      } catch {
        resolve(false);
      }
    });
  },
  x25519,
};
