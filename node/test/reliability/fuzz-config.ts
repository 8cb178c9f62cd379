/**
 * Case counts and seeds shared by the fuzzers. `npm test` runs the short form with a fixed seed, so
 * it is deterministic; `npm run soak` (WISP_FULL=1) runs the full form with a fresh seed. Either
 * replays with WISP_FUZZ_SEED=<seed>; fast-check prints the seed and the shrunk case of a failure.
 */
import type fc from "fast-check";

export const FULL = process.env.WISP_FULL === "1";

const SHORT_SEED = 20_261_126;

function seedFromEnv(): number | null {
  const text = process.env.WISP_FUZZ_SEED;
  if (text === undefined || text === "") return null;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`WISP_FUZZ_SEED must be an integer, got "${text}"`);
  return seed;
}

export const FUZZ_SEED = seedFromEnv() ?? (FULL ? Date.now() % 2 ** 31 : SHORT_SEED);

/** The short or the full number of cases. */
export function cases(short: number, full: number): number {
  return FULL ? full : short;
}

/** A per-test timeout that grows with the full form (the config's default is 60 s). */
export function fuzzTimeout(shortMs = 60_000, fullMs = 600_000): number {
  return FULL ? fullMs : shortMs;
}

/** fast-check parameters: seeded, with the failing case printed whole after shrinking. */
export function params(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, seed: FUZZ_SEED, verbose: 1, endOnFailure: false };
}

/** Counts cases per fuzzer; the full form prints one summary line each. */
export class CaseCounter {
  private counts = new Map<string, number>();
  private readonly started = Date.now();

  constructor(readonly fuzzer: string) {}

  add(kind: string, n = 1): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + n);
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  report(): void {
    if (!FULL) return;
    const parts = [...this.counts].map(([kind, n]) => `${kind} ${n}`).join(", ");
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    console.log(`fuzz ${this.fuzzer}: ${this.total()} cases (${parts}) in ${seconds} s, seed ${FUZZ_SEED}`);
  }
}
