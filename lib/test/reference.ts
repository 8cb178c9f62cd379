/**
 * An independent implementation of PROTOCOL.md's crypto on node:crypto (OpenSSL) and
 * libsodium-wrappers, sharing no code with lib/src, to cross-check lib and the vectors.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  hkdfSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import sodium from "libsodium-wrappers";

const ED_PKCS8 = Buffer.from("302e020100300506032b657004220420", "hex");
const ED_SPKI = Buffer.from("302a300506032b6570032100", "hex");
const X_PKCS8 = Buffer.from("302e020100300506032b656e04220420", "hex");
const X_SPKI = Buffer.from("302a300506032b656e032100", "hex");

export const ready = sodium.ready;

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

export function unb64u(text: string): Buffer {
  return Buffer.from(text, "base64url");
}

function edPrivate(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED_PKCS8, seed]), format: "der", type: "pkcs8" });
}

function edPublic(pk: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED_SPKI, pk]), format: "der", type: "spki" });
}

export function refPublicKey(seed: Uint8Array): Buffer {
  const der = createPublicKey(edPrivate(seed)).export({ format: "der", type: "spki" });
  return der.subarray(ED_SPKI.length);
}

export function refSign(seed: Uint8Array, message: Uint8Array): Buffer {
  return sign(null, message, edPrivate(seed));
}

export function refVerify(sig: Uint8Array, message: Uint8Array, pk: Uint8Array): boolean {
  return verify(null, message, edPublic(pk), sig);
}

export function refSha256(...parts: Uint8Array[]): Buffer {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
}

export function refMailbox(pk: Uint8Array): Buffer {
  return refSha256(Buffer.from("wisp/mailbox/v1"), pk);
}

/** libsodium's crypto_sign_ed25519_pk_to_curve25519 (await `ready` first). */
export function sodiumX25519Public(pk: Uint8Array): Uint8Array {
  return sodium.crypto_sign_ed25519_pk_to_curve25519(pk);
}

/** libsodium's crypto_sign_ed25519_sk_to_curve25519, on the 64-byte seed || pk secret key. */
export function sodiumX25519Secret(seed: Uint8Array): Uint8Array {
  const { privateKey } = sodium.crypto_sign_seed_keypair(seed);
  return sodium.crypto_sign_ed25519_sk_to_curve25519(privateKey);
}

function x25519(secret: Uint8Array, pub: Uint8Array): Buffer {
  return diffieHellman({
    privateKey: createPrivateKey({ key: Buffer.concat([X_PKCS8, secret]), format: "der", type: "pkcs8" }),
    publicKey: createPublicKey({ key: Buffer.concat([X_SPKI, pub]), format: "der", type: "spki" }),
  });
}

function x25519Public(secret: Uint8Array): Buffer {
  const key = createPrivateKey({ key: Buffer.concat([X_PKCS8, secret]), format: "der", type: "pkcs8" });
  return createPublicKey(key).export({ format: "der", type: "spki" }).subarray(X_SPKI.length);
}

function keys(shared: Uint8Array, eph: Uint8Array, rx: Uint8Array): { key: Buffer; nonce: Buffer } {
  const okm = Buffer.from(hkdfSync("sha256", shared, Buffer.concat([eph, rx]), "wisp/seal/v1", 44));
  return { key: okm.subarray(0, 32), nonce: okm.subarray(32) };
}

export interface RefEnvelope {
  v: 1;
  id: string;
  to: string;
  nackTo: string;
  eph: string;
  ct: string;
}

/** PROTOCOL.md's seal on node:crypto; `inner` overrides spk || sig || body (for failure vectors). */
export function refSeal(
  senderSeed: Uint8Array,
  rpk: Uint8Array,
  body: Uint8Array,
  id: Uint8Array,
  esk: Uint8Array,
  inner?: Uint8Array,
): RefEnvelope {
  const spk = refPublicKey(senderSeed);
  const to = refMailbox(rpk);
  const nackTo = refMailbox(spk);
  const sig = refSign(senderSeed, Buffer.concat([Buffer.from("wisp/msg/v1"), id, rpk, body]));
  const plain = inner ?? Buffer.concat([spk, sig, body]);
  const eph = x25519Public(esk);
  const rx = sodiumX25519Public(rpk);
  const { key, nonce } = keys(x25519(esk, rx), eph, rx);
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
  cipher.setAAD(Buffer.concat([id, to, nackTo]), { plaintextLength: plain.length });
  const ct = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return { v: 1, id: b64u(id), to: b64u(to), nackTo: b64u(nackTo), eph: b64u(eph), ct: b64u(ct) };
}

/** Decrypts with node:crypto; the inner plaintext, or null when the tag (or anything) fails. */
export function refDecrypt(recipientSeed: Uint8Array, env: RefEnvelope): Buffer | null {
  try {
    const rpk = refPublicKey(recipientSeed);
    const rx = sodiumX25519Public(rpk);
    const eph = unb64u(env.eph);
    const { key, nonce } = keys(x25519(sodiumX25519Secret(recipientSeed), eph), eph, rx);
    const ct = unb64u(env.ct);
    const decipher = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: 16 });
    decipher.setAAD(Buffer.concat([unb64u(env.id), unb64u(env.to), unb64u(env.nackTo)]), {
      plaintextLength: ct.length - 16,
    });
    decipher.setAuthTag(ct.subarray(ct.length - 16));
    return Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]);
  } catch {
    return null;
  }
}

/** The retrieve signature of PROTOCOL.md on node:crypto. */
export function refRetrieveSig(seed: Uint8Array, ts: number, ackIds: string[]): string {
  const ts8 = Buffer.alloc(8);
  ts8.writeBigUInt64BE(BigInt(ts));
  const message = Buffer.concat([
    Buffer.from("wisp/retrieve/v1"),
    refPublicKey(seed),
    ts8,
    ...ackIds.map(unb64u),
  ]);
  return b64u(refSign(seed, message));
}
