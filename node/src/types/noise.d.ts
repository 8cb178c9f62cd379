/** The parts of holepunch's untyped CommonJS packages that the transport and node-crypto.ts use. */
declare module "noise-handshake" {
  export interface KeyPair {
    publicKey: Buffer;
    secretKey: Buffer;
  }
  export interface Curve {
    PKLEN: number;
    generateKeyPair(secret?: Buffer): KeyPair;
    dh(publicKey: Buffer, keyPair: KeyPair): Buffer;
  }
  export default class NoiseState {
    constructor(
      pattern: "XX" | "IK" | "NN",
      initiator: boolean,
      staticKeyPair?: KeyPair | null,
      options?: { curve?: Curve },
    );
    e: KeyPair | null;
    s: KeyPair;
    rs: Buffer | null;
    tx: Buffer | null;
    rx: Buffer | null;
    hash: Buffer | null;
    complete: boolean;
    initialise(prologue: Buffer, remoteStatic?: Buffer): void;
    send(payload?: Buffer): Buffer;
    recv(message: Buffer): Buffer;
  }
}

declare module "noise-handshake/cipher.js" {
  export default class CipherState {
    constructor(key?: Buffer);
    encrypt(plaintext: Buffer, ad?: Buffer): Buffer;
    decrypt(ciphertext: Buffer, ad?: Buffer): Buffer;
  }
}

declare module "noise-handshake/dh.js" {
  import type { Curve } from "noise-handshake";

  const curve: Curve;
  export default curve;
}

declare module "noise-curve-ed" {
  import type { Curve } from "noise-handshake";

  const curve: Curve;
  export default curve;
}

declare module "sodium-universal" {
  export const crypto_aead_chacha20poly1305_ietf_ABYTES: number;
  export function crypto_aead_chacha20poly1305_ietf_encrypt(
    ciphertext: Uint8Array,
    message: Uint8Array,
    additionalData: Uint8Array | null,
    secretNonce: null,
    nonce: Uint8Array,
    key: Uint8Array,
  ): number;
  export function crypto_aead_chacha20poly1305_ietf_decrypt(
    message: Uint8Array,
    secretNonce: null,
    ciphertext: Uint8Array,
    additionalData: Uint8Array | null,
    nonce: Uint8Array,
    key: Uint8Array,
  ): number;
  export function crypto_sign_keypair(publicKey: Uint8Array, secretKey: Uint8Array): void;
  export function crypto_hash_sha256(out: Uint8Array, message: Uint8Array): void;
  export function crypto_sign_verify_detached(
    signature: Uint8Array,
    message: Uint8Array,
    publicKey: Uint8Array,
  ): boolean;
}
