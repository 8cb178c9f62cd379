/**
 * {@link AsyncWispCrypto} on WebCrypto's Ed25519 and X25519 (Chromium, Firefox, Safari and
 * Node.js have both): in a page about a tenth of noble's time, on the browser's own threads.
 * {@link webCrypto} answers null where either is missing or gives a wrong known answer; the web
 * app then says it cannot run in this browser (docs/webclient.md), other callers may keep
 * crypto.ts's nobleAsyncCrypto. Nothing here uses noble's X25519, so the web app does not carry it.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { fromHex, toB64u } from "./bytes";
import { type AsyncWispCrypto, X25519_BASE_POINT } from "./crypto";

// PKCS#8 (RFC 8410 §7) of a raw 32-byte private key: this header, then the key.
const ED25519_PKCS8 = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const X25519_PKCS8 = [
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
];
/** Imported keys kept per kind; a few own keys and the senders of recent messages. */
const KEYS_KEPT = 256;

export async function webCrypto(
  subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null,
): Promise<AsyncWispCrypto | null> {
  if (!subtle) return null;
  const backend = webCryptoOn(subtle);
  try {
    return (await agreesWithNoble(backend)) ? backend : null;
  } catch {
    return null;
  }
}

function webCryptoOn(subtle: SubtleCrypto): AsyncWispCrypto {
  const signing = new KeyCache(KEYS_KEPT);
  const verifying = new KeyCache(KEYS_KEPT);
  // Own X25519 secrets, and the ephemeral one of each seal: few kept, so those do not linger.
  const agreeing = new KeyCache(4);
  const pkcs8 = (header: number[], raw: Uint8Array) => {
    const der = new Uint8Array(header.length + raw.length);
    der.set(header);
    der.set(raw, header.length);
    return der;
  };
  return {
    async ed25519Sign(seed, message) {
      if (seed.length !== 32) throw new RangeError(`seed expected 32 bytes, got ${seed.length}`);
      const key = await signing.get(seed, () =>
        subtle.importKey("pkcs8", pkcs8(ED25519_PKCS8, seed), { name: "Ed25519" }, false, ["sign"]),
      );
      return new Uint8Array(await subtle.sign("Ed25519", key, message as Uint8Array<ArrayBuffer>));
    },
    async ed25519Verify(signature, message, publicKey) {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      try {
        const key = await verifying.get(publicKey, () =>
          subtle.importKey("raw", publicKey as Uint8Array<ArrayBuffer>, { name: "Ed25519" }, false, [
            "verify",
          ]),
        );
        return await subtle.verify(
          "Ed25519",
          key,
          signature as Uint8Array<ArrayBuffer>,
          message as Uint8Array<ArrayBuffer>,
        );
      } catch {
        return false;
      }
    },
    async x25519(secret, publicKey) {
      if (secret.length !== 32 || publicKey.length !== 32) return null;
      try {
        const [own, theirs] = await Promise.all([
          agreeing.get(secret, () =>
            subtle.importKey("pkcs8", pkcs8(X25519_PKCS8, secret), { name: "X25519" }, false, ["deriveBits"]),
          ),
          subtle.importKey("raw", publicKey as Uint8Array<ArrayBuffer>, { name: "X25519" }, false, []),
        ]);
        const shared = new Uint8Array(
          await subtle.deriveBits({ name: "X25519", public: theirs } as EcdhKeyDeriveParams, own, 256),
        );
        // WebCrypto refuses an all-zero result (RFC 7748 §6.1) by throwing; checked again so the
        // contract does not rest on that.
        return shared.every((b) => b === 0) ? null : shared;
      } catch {
        return null;
      }
    },
  };
}

/** RFC 7748 §6.1: Alice's secret, her public key, Bob's public key, and their shared secret. */
const X25519_KNOWN = {
  alice: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
  alicePublic: "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
  bobPublic: "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
  shared: "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
};

/**
 * Known answers, and a wrong signature refused: else this browser's WebCrypto is not used. Ed25519
 * against noble's signature (noble's Ed25519 is in every build anyway); X25519, a seal's two uses
 * of it (a public key, a shared secret), against RFC 7748's vectors.
 */
async function agreesWithNoble(backend: AsyncWispCrypto): Promise<boolean> {
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const message = Uint8Array.from({ length: 48 }, (_, i) => 255 - i);
  const publicKey = ed25519.getPublicKey(seed);
  const sig = await backend.ed25519Sign(seed, message);
  if (toB64u(sig) !== toB64u(ed25519.sign(message, seed))) return false;
  if (!(await backend.ed25519Verify(sig, message, publicKey))) return false;
  const tampered = Uint8Array.from(sig);
  tampered[0] ^= 1;
  if (await backend.ed25519Verify(tampered, message, publicKey)) return false;
  const alice = fromHex(X25519_KNOWN.alice);
  const ownPublic = await backend.x25519(alice, X25519_BASE_POINT);
  const shared = await backend.x25519(alice, fromHex(X25519_KNOWN.bobPublic));
  return (
    ownPublic !== null &&
    shared !== null &&
    toB64u(ownPublic) === toB64u(fromHex(X25519_KNOWN.alicePublic)) &&
    toB64u(shared) === toB64u(fromHex(X25519_KNOWN.shared))
  );
}

/** Imported CryptoKeys by their raw bytes, the least recently used dropped beyond `limit`. */
class KeyCache {
  private readonly keys = new Map<string, Promise<CryptoKey>>();

  constructor(private readonly limit: number) {}

  get(raw: Uint8Array, load: () => Promise<CryptoKey>): Promise<CryptoKey> {
    const name = toB64u(raw);
    const found = this.keys.get(name);
    if (found) {
      this.keys.delete(name);
      this.keys.set(name, found);
      return found;
    }
    const loading = load();
    // A key that failed to import is not kept: the next call tries again (and fails the same way).
    loading.catch(() => this.keys.delete(name));
    this.keys.set(name, loading);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.keys().next().value as string);
    return loading;
  }
}
