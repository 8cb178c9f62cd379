/**
 * A seed at rest under a passphrase (the web app's lock): scrypt (memory-hard, RFC 7914) turns
 * the passphrase and a random salt into a key, and ChaCha20-Poly1305 seals the seed with it. The
 * record keeps its own parameters, so stronger ones can come later without breaking old records.
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { utf8 } from "./bytes";

export interface LockedSeed {
  kind: "wisp-locked-seed";
  v: 1;
  /** scrypt cost: N = 2^logN, r = 8, p = 1. */
  logN: number;
  salt: Uint8Array;
  nonce: Uint8Array;
  /** The 32-byte seed sealed with its 16-byte tag. */
  sealed: Uint8Array;
}

/** 2^16 × 8 × 128 bytes = 64 MiB and about half a second per try on a laptop. */
export const DEFAULT_LOCK_LOG_N = 16;
const MIN_LOG_N = 10;
const MAX_LOG_N = 20;
const AAD = utf8("wisp/seed-lock/v1");

export async function lockSeed(
  seed: Uint8Array,
  passphrase: string,
  logN = DEFAULT_LOCK_LOG_N,
): Promise<LockedSeed> {
  if (seed.length !== 32) throw new RangeError(`"seed" expected 32 bytes, got ${seed.length}`);
  if (!Number.isInteger(logN) || logN < MIN_LOG_N || logN > MAX_LOG_N)
    throw new RangeError(`"logN" expected ${MIN_LOG_N}..${MAX_LOG_N}, got ${logN}`);
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const key = await deriveKey(passphrase, salt, logN);
  const sealed = chacha20poly1305(key, nonce, AAD).encrypt(seed);
  return { kind: "wisp-locked-seed", v: 1, logN, salt, nonce, sealed };
}

/** The seed, or null for a wrong passphrase (or a damaged record). */
export async function unlockSeed(locked: LockedSeed, passphrase: string): Promise<Uint8Array | null> {
  const key = await deriveKey(passphrase, locked.salt, locked.logN);
  try {
    return chacha20poly1305(key, locked.nonce, AAD).decrypt(locked.sealed);
  } catch {
    return null;
  }
}

/** A stored value that is a well-formed LockedSeed, or null. */
export function parseLockedSeed(value: unknown): LockedSeed | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.kind !== "wisp-locked-seed" || v.v !== 1) return null;
  if (typeof v.logN !== "number" || !Number.isInteger(v.logN) || v.logN < MIN_LOG_N || v.logN > MAX_LOG_N)
    return null;
  const salt = bytesOf(v.salt, 16);
  const nonce = bytesOf(v.nonce, 12);
  const sealed = bytesOf(v.sealed, 48);
  if (!salt || !nonce || !sealed) return null;
  return { kind: "wisp-locked-seed", v: 1, logN: v.logN, salt, nonce, sealed };
}

function bytesOf(value: unknown, length: number): Uint8Array | null {
  return value instanceof Uint8Array && value.length === length ? value : null;
}

function deriveKey(passphrase: string, salt: Uint8Array, logN: number): Promise<Uint8Array> {
  return scryptAsync(utf8(passphrase.normalize("NFC")), salt, { N: 2 ** logN, r: 8, p: 1, dkLen: 32 });
}
