/** The WispCrypto backend on node:crypto (OpenSSL), for the node's hot paths: hashing and verifying retrieves. */
import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import type { WispCrypto } from "@wisp/lib";

// DER SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410 §4); the 32 raw key bytes follow.
const ED25519_SPKI_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
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
  const der = new Uint8Array(ED25519_SPKI_PREFIX.length + 32);
  der.set(ED25519_SPKI_PREFIX);
  der.set(publicKey, ED25519_SPKI_PREFIX.length);
  let key: KeyObject | null;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" });
  } catch {
    key = null;
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
  keyCache.set(cacheKey, key);
  return key;
}

/** SHA-256 and Ed25519 verification on node:crypto. Never throws; KeyObjects are cached (LRU, 1024 keys). */
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
};
