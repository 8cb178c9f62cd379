/**
 * Ring identifiers: 256-bit unsigned integers on the Chord circle (Stoica et al. 2001, §4.1).
 * Held as bigint for arithmetic; written on the wire as 64 lowercase hex characters.
 */
import { fromHex, toHex } from "./bytes";

export type RingId = bigint;

export const ID_BITS = 256;
export const RING_SIZE: RingId = 1n << 256n;
const MASK = RING_SIZE - 1n;

export function idFromBytes(bytes: Uint8Array): RingId {
  if (bytes.length !== 32) throw new RangeError(`ring id expected 32 bytes, got ${bytes.length}`);
  return BigInt(`0x${toHex(bytes)}`);
}

export function idToBytes(id: RingId): Uint8Array {
  return fromHex(idToHex(id));
}

export function idToHex(id: RingId): string {
  return id.toString(16).padStart(64, "0");
}

/** Parses 64 hex characters; null for anything else (input from the network). */
export function idFromHex(hex: unknown): RingId | null {
  if (typeof hex !== "string" || !/^[0-9a-f]{64}$/.test(hex)) return null;
  return BigInt(`0x${hex}`);
}

/** x ∈ (a, b) on the circle. When a == b the interval is the whole circle except a. */
export function between(a: RingId, x: RingId, b: RingId): boolean {
  if (a < b) return a < x && x < b;
  return x !== a && (a > b ? x > a || x < b : true);
}

/** x ∈ (a, b] on the circle. When a == b the interval is the whole circle. */
export function betweenRightIncl(a: RingId, x: RingId, b: RingId): boolean {
  return x === b || between(a, x, b);
}

/** Start of finger i (0-based): (n + 2^i) mod 2^256. */
export function fingerStart(n: RingId, i: number): RingId {
  if (!Number.isInteger(i) || i < 0 || i >= ID_BITS)
    throw new RangeError(`finger index must be 0..255, got ${i}`);
  return (n + (1n << BigInt(i))) & MASK;
}

/** Clockwise distance from a to b: (b − a) mod 2^256. */
export function distance(a: RingId, b: RingId): RingId {
  return (b - a) & MASK;
}
