/**
 * Byte helpers shared by every part of Wisp. Browser-safe: Uint8Array only, never Buffer. Hex,
 * concatenation, comparison and big-endian numbers are noble's; base64url is Wisp's own (strict:
 * canonical, unpadded, and measured without decoding for validation).
 */
import { numberToBytesBE } from "@noble/curves/utils.js";

const B64U = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64U_LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < B64U.length; i++) B64U_LOOKUP[B64U.charCodeAt(i)] = i;
const B64U_TEXT = /^[A-Za-z0-9_-]*$/;

/** base64url without padding (RFC 4648 §5). */
export function toB64u(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64U[n >> 18] + B64U[(n >> 12) & 63] + B64U[(n >> 6) & 63] + B64U[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64U[n >> 18] + B64U[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64U[n >> 18] + B64U[(n >> 12) & 63] + B64U[(n >> 6) & 63];
  }
  return out;
}

/** Decodes unpadded base64url; answers null for any character outside the alphabet or a bad length. */
export function fromB64u(text: string): Uint8Array | null {
  if (typeof text !== "string" || text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  const whole = text.length - (text.length % 4);
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const n = sextets(text, i, 4);
    if (n < 0) return null;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  const rest = text.length - whole;
  if (rest === 0) return out;
  const n = sextets(text, whole, rest);
  // Non-canonical trailing bits would let two strings name the same bytes.
  if (n < 0 || (n & (rest === 2 ? 0xffff : 0xff)) !== 0) return null;
  out[o++] = n >> 16;
  if (rest === 3) out[o] = (n >> 8) & 0xff;
  return out;
}

/** `count` (2..4) characters from `at` as 6-bit groups, left-aligned in 24 bits; -1 for a character outside the alphabet. */
function sextets(text: string, at: number, count: number): number {
  let n = 0;
  for (let k = 0; k < 4; k++) {
    let v = 0;
    if (k < count) {
      const c = text.charCodeAt(at + k);
      v = c < 128 ? B64U_LOOKUP[c] : -1;
      if (v < 0) return -1;
    }
    n = (n << 6) | v;
  }
  return n;
}

/**
 * The byte length `text` decodes to as canonical unpadded base64url, or -1 where fromB64u would
 * answer null. Decodes nothing: validation needs only lengths, the alphabet and the trailing bits.
 */
export function b64uByteLength(text: string): number {
  if (typeof text !== "string" || text.length % 4 === 1) return -1;
  // One regex test: the engine scans the alphabet faster than a loop over charCodeAt.
  if (!B64U_TEXT.test(text)) return -1;
  const rest = text.length % 4;
  // Non-canonical trailing bits would let two strings name the same bytes.
  if (rest !== 0 && (B64U_LOOKUP[text.charCodeAt(text.length - 1)] & (rest === 2 ? 0xf : 0x3)) !== 0)
    return -1;
  return Math.floor((text.length * 3) / 4);
}

/** Decodes base64url that must be exactly `length` bytes; null otherwise. */
export function fromB64uExact(text: string, length: number): Uint8Array | null {
  const bytes = fromB64u(text);
  return bytes && bytes.length === length ? bytes : null;
}

/** Compares in constant time. */
export { equalBytes } from "@noble/ciphers/utils.js";
export { bytesToHex as toHex, concatBytes, hexToBytes as fromHex } from "@noble/hashes/utils.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Strict UTF-8 decode; null for invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string | null {
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/** n as 8 bytes, big-endian. */
export function u64be(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`u64be expects a non-negative safe integer, got ${n}`);
  return numberToBytesBE(n, 8);
}
