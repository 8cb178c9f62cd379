/**
 * {@link AsyncWispCrypto} on WebCrypto's Ed25519 and X25519 (Chromium, Firefox, Safari and
 * Node.js have both): in a page about a tenth of noble's time, on the browser's own threads.
 * {@link webCrypto} answers null where either is missing or gives a wrong known answer; the web
 * app then says it cannot run in this browser (docs/webclient.md), other callers may keep
 * crypto.ts's nobleAsyncCrypto. Nothing here uses noble's Ed25519, X25519 or SHA-512, so the web
 * app carries none of them: it is checked against the RFCs' published vectors instead.
 */
import { concatBytes, equalBytes, fromB64uExact, fromHex, toB64u, utf8 } from "./bytes";
import { type AsyncWispCrypto, X25519_BASE_POINT } from "./crypto";

/** The last byte of the algorithm's OID 1.3.101.x (RFC 8410 §3). */
const ED25519_OID = 0x70;
const X25519_OID = 0x6e;
/** Imported keys kept per kind; a few own keys and the senders of recent messages. */
const KEYS_KEPT = 256;

export async function webCrypto(
  subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null,
): Promise<AsyncWispCrypto | null> {
  if (!subtle) return null;
  const backend = webCryptoOn(subtle);
  try {
    return (await givesKnownAnswers(backend)) ? backend : null;
  } catch {
    return null;
  }
}

function webCryptoOn(subtle: SubtleCrypto): AsyncWispCrypto {
  const signing = new KeyCache(KEYS_KEPT);
  const verifying = new KeyCache(KEYS_KEPT);
  // Own X25519 secrets, and the ephemeral one of each seal: few kept, so those do not linger.
  const agreeing = new KeyCache(4);
  // PKCS#8 (RFC 8410 §7) of a raw 32-byte private key: this header, then the key.
  const pkcs8 = (oid: number, raw: Uint8Array) =>
    concatBytes(Uint8Array.of(0x30, 0x2e, 2, 1, 0, 0x30, 5, 6, 3, 0x2b, 0x65, oid, 4, 0x22, 4, 0x20), raw);
  const checkSeed = (seed: Uint8Array) => {
    if (seed.length !== 32) throw new RangeError(`seed expected 32 bytes, got ${seed.length}`);
  };
  return {
    async ed25519PublicKey(seed) {
      checkSeed(seed);
      // A JWK of a private key carries its public key ("x"), which WebCrypto derives (RFC 8037 §2).
      const key = await subtle.importKey("pkcs8", pkcs8(ED25519_OID, seed), { name: "Ed25519" }, true, [
        "sign",
      ]);
      const { x } = await subtle.exportKey("jwk", key);
      const publicKey = x === undefined ? null : fromB64uExact(x, 32);
      if (!publicKey) throw new Error("WebCrypto gave no Ed25519 public key");
      return publicKey;
    },
    async ed25519Sign(seed, message) {
      checkSeed(seed);
      const key = await signing.get(seed, () =>
        subtle.importKey("pkcs8", pkcs8(ED25519_OID, seed), { name: "Ed25519" }, false, ["sign"]),
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
            subtle.importKey("pkcs8", pkcs8(X25519_OID, secret), { name: "X25519" }, false, ["deriveBits"]),
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
    sha512: async (data) => new Uint8Array(await subtle.digest("SHA-512", data as Uint8Array<ArrayBuffer>)),
    async hkdfSha256(ikm, salt, info, length) {
      const key = await subtle.importKey("raw", ikm as Uint8Array<ArrayBuffer>, "HKDF", false, [
        "deriveBits",
      ]);
      const params = { name: "HKDF", hash: "SHA-256", salt, info } as HkdfParams;
      return new Uint8Array(await subtle.deriveBits(params, key, length * 8));
    },
  };
}

/** RFC 8032 §7.1, TEST 2: a secret key (the seed), its public key, the 1-byte message 0x72 and its signature. */
const ED25519_SEED = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
const ED25519_PUBLIC = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";
const ED25519_SIG =
  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da" +
  "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

/** RFC 7748 §6.1: Alice's secret, her public key, Bob's public key, and their shared secret. */
const X25519_ALICE = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
const X25519_ALICE_PUBLIC = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
const X25519_BOB_PUBLIC = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
const X25519_SHARED = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

/** FIPS 180-2 Appendix C.1: SHA-512("abc"). */
const SHA512_ABC =
  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

/** RFC 5869 A.3 (Test Case 3): HKDF-SHA256 of 22 bytes 0x0b, no salt, no info, 42 bytes. */
const HKDF_KNOWN = "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8";

/**
 * The published answers, and a wrong signature refused: else this browser's WebCrypto is not used.
 * Every use a client makes: an identity's public key, a signature and its check, a seal's two
 * X25519 (a public key, a shared secret) and its HKDF, SHA-512 (an identity's X25519 secret).
 */
async function givesKnownAnswers(backend: AsyncWispCrypto): Promise<boolean> {
  const same = (bytes: Uint8Array | null, hex: string) => bytes !== null && equalBytes(bytes, fromHex(hex));
  const seed = fromHex(ED25519_SEED);
  const message = Uint8Array.of(0x72);
  const publicKey = fromHex(ED25519_PUBLIC);
  if (!same(await backend.ed25519PublicKey(seed), ED25519_PUBLIC)) return false;
  const sig = await backend.ed25519Sign(seed, message);
  if (!same(sig, ED25519_SIG) || !(await backend.ed25519Verify(sig, message, publicKey))) return false;
  const tampered = Uint8Array.from(sig);
  tampered[0] ^= 1;
  if (await backend.ed25519Verify(tampered, message, publicKey)) return false;
  if (!same(await backend.sha512(utf8("abc")), SHA512_ABC)) return false;
  const none = new Uint8Array();
  if (!same(await backend.hkdfSha256(new Uint8Array(22).fill(11), none, none, 42), HKDF_KNOWN)) return false;
  const alice = fromHex(X25519_ALICE);
  const [ownPublic, shared] = await Promise.all([
    backend.x25519(alice, X25519_BASE_POINT),
    backend.x25519(alice, fromHex(X25519_BOB_PUBLIC)),
  ]);
  return same(ownPublic, X25519_ALICE_PUBLIC) && same(shared, X25519_SHARED);
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
