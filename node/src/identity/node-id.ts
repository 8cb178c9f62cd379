/**
 * A node's position on the ring is bound to its key and its IP, and costly to choose
 * (docs/security.md, "Ring positions"): id = SHA-256("wisp/node-id/v1" || key || ip), and a key
 * is only valid when SHA-256("wisp/node-puzzle/v1" || key) starts with `puzzleBits` zero bits
 * (the static puzzle of S/Kademlia, Baumgart and Mies 2007, §4.1).
 */
import { createHash } from "node:crypto";
import { idFromBytes, type RingId } from "@wisp/lib";

/** About 8,000 key pairs to try: ~0.15 s of one core at start, once per key file. */
export const DEFAULT_PUZZLE_BITS = 13;
export const MAX_PUZZLE_BITS = 32;

const ID_DOMAIN = Buffer.from("wisp/node-id/v1");
export const PUZZLE_DOMAIN = Buffer.from("wisp/node-puzzle/v1");

export function nodeIdOf(key: Uint8Array, ip: Uint8Array): RingId {
  return idFromBytes(createHash("sha256").update(ID_DOMAIN).update(key).update(ip).digest());
}

/** Leading zero bits of the key's puzzle hash (0..256). */
export function puzzleBitsOf(key: Uint8Array): number {
  return leadingZeroBits(createHash("sha256").update(PUZZLE_DOMAIN).update(key).digest());
}

/** Indexed: the key grind runs unoptimized (unoptimized.ts), where for-of allocates an iterator a call. */
export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (let i = 0; i < hash.length; i++) {
    const byte = hash[i] as number;
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function solvesPuzzle(key: Uint8Array, puzzleBits: number): boolean {
  return puzzleBits <= 0 || puzzleBitsOf(key) >= puzzleBits;
}

export function checkPuzzleBits(bits: number): number {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_PUZZLE_BITS)
    throw new RangeError(`puzzleBits must be an integer 0..${MAX_PUZZLE_BITS}, got ${bits}`);
  return bits;
}
