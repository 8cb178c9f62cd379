/**
 * scrypt (RFC 7914) with r = 8 and p = 1, built on the HMAC-SHA256 the web app already ships for
 * HKDF. @noble/hashes' scrypt module brings a PBKDF2 and option checks of its own (~1.8 KB gzipped
 * of the web app, whose size budget cannot spare them). lib/test/scrypt.test.ts checks this one
 * against RFC 7914's vectors and noble's answers. Words are read and written little-endian
 * explicitly, so the result is the same on any platform.
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

const R = 8;
/** 32-bit words of one 128·r-byte block. */
const WORDS = 32 * R;
/** The mixing hands the event loop back after this many milliseconds, so a page stays responsive. */
const SLICE_MS = 10;

/** scrypt(password, salt, N = 2^logN, r = 8, p = 1, dkLen). */
export async function scryptR8(
  password: Uint8Array,
  salt: Uint8Array,
  logN: number,
  dkLen = 32,
): Promise<Uint8Array> {
  const n = 2 ** logN;
  const x = toWords(pbkdf2Once(password, salt, 4 * WORDS));
  const v = new Uint32Array(WORDS * n);
  const y = new Uint32Array(WORDS);
  const t = new Uint32Array(16);
  let slice = Date.now();
  for (let i = 0; i < 2 * n; i++) {
    if (i < n) v.set(x, i * WORDS);
    else {
      const j = (x[WORDS - 16] & (n - 1)) * WORDS;
      for (let k = 0; k < WORDS; k++) x[k] ^= v[j + k];
    }
    blockMix(x, y, t);
    if (Date.now() - slice > SLICE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      slice = Date.now();
    }
  }
  v.fill(0);
  const out = pbkdf2Once(password, toBytes(x), dkLen);
  x.fill(0);
  return out;
}

/** PBKDF2-HMAC-SHA256 with one iteration: block i is HMAC(P, S || INT(i)). */
function pbkdf2Once(password: Uint8Array, salt: Uint8Array, dkLen: number): Uint8Array {
  const out = new Uint8Array(dkLen);
  const input = new Uint8Array(salt.length + 4);
  input.set(salt);
  const view = new DataView(input.buffer);
  for (let i = 1, at = 0; at < dkLen; i++, at += 32) {
    view.setUint32(salt.length, i);
    out.set(hmac(sha256, password, input).subarray(0, dkLen - at), at);
  }
  return out;
}

/** BlockMix (RFC 7914 §4) in place: X = B[2r−1], Y_i = Salsa(X ^ B_i), then the even Y, then the odd. */
function blockMix(b: Uint32Array, y: Uint32Array, x: Uint32Array): void {
  x.set(b.subarray(WORDS - 16));
  for (let i = 0; i < 2 * R; i++) {
    for (let k = 0; k < 16; k++) x[k] ^= b[i * 16 + k];
    salsa8(x);
    y.set(x, ((i & 1) * R + (i >> 1)) * 16);
  }
  b.set(y);
}

/** Salsa20/8 core (RFC 7914 §3), in place; unrolled into locals, as the cost of a try depends on it. */
function salsa8(b: Uint32Array): void {
  let x0 = b[0],
    x1 = b[1],
    x2 = b[2],
    x3 = b[3],
    x4 = b[4],
    x5 = b[5],
    x6 = b[6],
    x7 = b[7];
  let x8 = b[8],
    x9 = b[9],
    x10 = b[10],
    x11 = b[11],
    x12 = b[12],
    x13 = b[13],
    x14 = b[14],
    x15 = b[15];
  for (let round = 0; round < 8; round += 2) {
    x4 ^= rotl((x0 + x12) | 0, 7);
    x8 ^= rotl((x4 + x0) | 0, 9);
    x12 ^= rotl((x8 + x4) | 0, 13);
    x0 ^= rotl((x12 + x8) | 0, 18);
    x9 ^= rotl((x5 + x1) | 0, 7);
    x13 ^= rotl((x9 + x5) | 0, 9);
    x1 ^= rotl((x13 + x9) | 0, 13);
    x5 ^= rotl((x1 + x13) | 0, 18);
    x14 ^= rotl((x10 + x6) | 0, 7);
    x2 ^= rotl((x14 + x10) | 0, 9);
    x6 ^= rotl((x2 + x14) | 0, 13);
    x10 ^= rotl((x6 + x2) | 0, 18);
    x3 ^= rotl((x15 + x11) | 0, 7);
    x7 ^= rotl((x3 + x15) | 0, 9);
    x11 ^= rotl((x7 + x3) | 0, 13);
    x15 ^= rotl((x11 + x7) | 0, 18);
    x1 ^= rotl((x0 + x3) | 0, 7);
    x2 ^= rotl((x1 + x0) | 0, 9);
    x3 ^= rotl((x2 + x1) | 0, 13);
    x0 ^= rotl((x3 + x2) | 0, 18);
    x6 ^= rotl((x5 + x4) | 0, 7);
    x7 ^= rotl((x6 + x5) | 0, 9);
    x4 ^= rotl((x7 + x6) | 0, 13);
    x5 ^= rotl((x4 + x7) | 0, 18);
    x11 ^= rotl((x10 + x9) | 0, 7);
    x8 ^= rotl((x11 + x10) | 0, 9);
    x9 ^= rotl((x8 + x11) | 0, 13);
    x10 ^= rotl((x9 + x8) | 0, 18);
    x12 ^= rotl((x15 + x14) | 0, 7);
    x13 ^= rotl((x12 + x15) | 0, 9);
    x14 ^= rotl((x13 + x12) | 0, 13);
    x15 ^= rotl((x14 + x13) | 0, 18);
  }
  b[0] += x0;
  b[1] += x1;
  b[2] += x2;
  b[3] += x3;
  b[4] += x4;
  b[5] += x5;
  b[6] += x6;
  b[7] += x7;
  b[8] += x8;
  b[9] += x9;
  b[10] += x10;
  b[11] += x11;
  b[12] += x12;
  b[13] += x13;
  b[14] += x14;
  b[15] += x15;
}

function rotl(v: number, n: number): number {
  return (v << n) | (v >>> (32 - n));
}

function toWords(bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const words = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(4 * i, true);
  return words;
}

function toBytes(words: Uint32Array): Uint8Array {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < words.length; i++) view.setUint32(4 * i, words[i], true);
  return bytes;
}
