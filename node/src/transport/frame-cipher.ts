/**
 * The encryption of every frame after the handshake: ChaCha20-Poly1305 (RFC 8439) under one of
 * the two keys the Noise handshake split, with the nonce of Noise's CipherState (§5.1: 32 zero
 * bits, then the 64-bit little-endian count of frames sent under the key). A frame on the wire is
 * a u32 big-endian length and the ciphertext with its 16-byte tag; a replayed, reordered, dropped
 * or altered frame fails the tag of the frame the receiver expects next.
 */
import sodium from "sodium-universal";

export const TAG_BYTES = 16;
const HEADER_BYTES = 4;
/** Past 2^53 frames a JavaScript number no longer counts one by one; a link ends long before. */
const MAX_NONCE = Number.MAX_SAFE_INTEGER;

export class FrameCipher {
  private readonly nonce = Buffer.alloc(12);
  private count = 0;

  constructor(private readonly key: Uint8Array) {
    if (key.length !== 32) throw new RangeError(`frame key expected 32 bytes, got ${key.length}`);
  }

  /** The whole frame, length prefix included, for `plaintext`. */
  seal(plaintext: Uint8Array): Buffer {
    const frame = Buffer.allocUnsafe(HEADER_BYTES + plaintext.length + TAG_BYTES);
    frame.writeUInt32BE(plaintext.length + TAG_BYTES, 0);
    sodium.crypto_aead_chacha20poly1305_ietf_encrypt(
      frame.subarray(HEADER_BYTES),
      plaintext,
      null,
      null,
      this.nextNonce(),
      this.key,
    );
    return frame;
  }

  /** The plaintext of the next frame's payload, or null when it is not the next frame under this key. */
  open(ciphertext: Uint8Array): Uint8Array | null {
    if (ciphertext.length < TAG_BYTES) return null;
    const plaintext = Buffer.allocUnsafe(ciphertext.length - TAG_BYTES);
    try {
      sodium.crypto_aead_chacha20poly1305_ietf_decrypt(
        plaintext,
        null,
        ciphertext,
        null,
        this.nextNonce(),
        this.key,
      );
    } catch {
      return null;
    }
    return plaintext;
  }

  private nextNonce(): Buffer {
    if (this.count >= MAX_NONCE) throw new Error("frame counter exhausted: the link must end");
    this.nonce.writeUInt32LE(this.count % 0x1_0000_0000, 4);
    this.nonce.writeUInt32LE(Math.floor(this.count / 0x1_0000_0000), 8);
    this.count++;
    return this.nonce;
  }
}
