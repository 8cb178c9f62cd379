/**
 * The WispCrypto backend on node:crypto (OpenSSL) and libsodium: the node's hot paths (hashing,
 * verifying retrieves) and Node.js clients' `open` (X25519 and the sender's signature).
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
import sodium from "sodium-universal";
import { LruMap } from "../lru";

// Raw public keys are imported as JWK (RFC 8037 OKP), which OpenSSL takes as raw bytes; as DER
// SubjectPublicKeyInfo its decoder lookup costs several times more (docs/performance.md). Private
// X25519 keys are PKCS#8 DER (RFC 8410 §7): the OCTET STRING of the 32 raw bytes after this header.
const X25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);
/** Ed25519 public keys imported; a node verifies the same clients' retrieves again and again. */
const KEY_CACHE_LIMIT = 1024;

function importPublicKey(publicKey: Uint8Array): KeyObject | null {
  try {
    return okpPublicKey("Ed25519", publicKey);
  } catch {
    return null;
  }
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

/**
 * A client opens with its own secret again and again: its KeyObject is kept, keyed by the
 * secret's array (lib keeps that array per identity) and checked against a copy of its bytes, so
 * an array changed in place is never answered with a stale key.
 */
function x25519With(privateKeys: WeakMap<Uint8Array, { bytes: Buffer; key: KeyObject }>) {
  const privateKey = (secret: Uint8Array): KeyObject => {
    const cached = privateKeys.get(secret);
    if (cached?.bytes.equals(secret)) return cached.key;
    const key = createPrivateKey({ key: derKey(X25519_PKCS8_PREFIX, secret), format: "der", type: "pkcs8" });
    privateKeys.set(secret, { bytes: Buffer.from(secret), key });
    return key;
  };
  return (secret: Uint8Array, publicKey: Uint8Array): Uint8Array | null => {
    if (secret.length !== 32 || publicKey.length !== 32) return null;
    try {
      const shared = diffieHellman({
        privateKey: privateKey(secret),
        publicKey: okpPublicKey("X25519", publicKey),
      });
      // OpenSSL already refuses an all-zero result (RFC 7748 §6.1) by throwing; checked again so
      // the contract does not rest on that.
      return shared.every((b) => b === 0) ? null : new Uint8Array(shared.buffer, shared.byteOffset, 32);
    } catch {
      return null;
    }
  };
}

/**
 * Ed25519 on libsodium (sodium-native, already loaded for the links), which verifies in about
 * half of OpenSSL's time. Never throws.
 */
function sodiumVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

/**
 * Where an asynchronous verify runs. A lone one runs at once on libsodium (~60 µs here), since a
 * hop to the thread pool and back costs more than that. One that comes while others wait in the
 * pool, or after one already ran inline in this event-loop turn, goes to OpenSSL in libuv's
 * thread pool, so a loaded node spreads its verifies over its cores (docs/performance.md).
 */
function verifyScheduler(publicKeyObject: (publicKey: Uint8Array) => KeyObject | null) {
  let inPool = 0;
  let ranInlineThisTurn = false;
  const endTurn = () => {
    ranInlineThisTurn = false;
  };
  return (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> => {
    if (inPool === 0 && !ranInlineThisTurn) {
      ranInlineThisTurn = true;
      setImmediate(endTurn);
      return Promise.resolve(sodiumVerify(signature, message, publicKey));
    }
    if (signature.length !== 64 || publicKey.length !== 32) return Promise.resolve(false);
    const key = publicKeyObject(publicKey);
    if (!key) return Promise.resolve(false);
    inPool++;
    return new Promise((resolve) => {
      try {
        verify(null, message, key, signature, (error, ok) => {
          inPool--;
          resolve(!error && ok);
        });
      } catch {
        inPool--;
        resolve(false);
      }
    });
  };
}

/**
 * SHA-256 and X25519 on node:crypto, Ed25519 verification on libsodium inline and on OpenSSL in
 * the thread pool (verifyScheduler), with a cache of imported public keys (LRU, 1024). Never throws.
 */
export function createNodeCrypto(): WispCrypto {
  const publicKeys = new LruMap<string, KeyObject | null>(KEY_CACHE_LIMIT);
  const publicKeyObject = (publicKey: Uint8Array): KeyObject | null => {
    const cacheKey = Buffer.from(publicKey).toString("base64");
    const cached = publicKeys.get(cacheKey);
    if (cached !== undefined) return cached;
    const key = importPublicKey(publicKey);
    publicKeys.set(cacheKey, key);
    return key;
  };
  return {
    sha256(data) {
      return new Uint8Array(createHash("sha256").update(data).digest());
    },
    ed25519Verify: sodiumVerify,
    ed25519VerifyAsync: verifyScheduler(publicKeyObject),
    x25519: x25519With(new WeakMap()),
  };
}

/** The backend of a process that is one client (the CLI, the benchmarks' clients); a node makes its own. */
export const nodeCrypto: WispCrypto = createNodeCrypto();
