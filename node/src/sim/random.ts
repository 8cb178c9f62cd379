/** Seeded randomness, so a simulation or a test can be replayed. */
import type { RingId } from "@wisp/lib";

/** mulberry32: a small, fast 32-bit generator; uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random 256-bit ring id. */
export function randomKey(random: () => number): RingId {
  let key = 0n;
  for (let i = 0; i < 8; i++) key = (key << 32n) | BigInt(Math.floor(random() * 4294967296));
  return key;
}

/** k distinct items of list, chosen at random. */
export function sample<T>(list: readonly T[], k: number, random: () => number): T[] {
  const copy = [...list];
  const count = Math.min(k, copy.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}
