/** The simulator's measurements, over rings from createRing. */
import { RingUnavailable } from "../chord/ring";
import { randomKey, sample } from "./random";
import { createRing, type SimRing } from "./ring";

export interface HopStats {
  nodes: number;
  lookups: number;
  meanHops: number;
  p99Hops: number;
  wrong: number;
  buildMs: number;
}

export interface FailureStats {
  nodes: number;
  successorListSize: number;
  failedFraction: number;
  lookups: number;
  failedRightAfter: number;
  /** Mean hops of the successful lookups right after the failures. */
  hopsRightAfter: number;
  failedAfterStabilization: number;
  roundsToHeal: number;
}

export async function measureHops(nodes: number, lookups: number, seed: number): Promise<HopStats> {
  const started = Date.now();
  const ring = await createRing(nodes, { seed });
  const buildMs = Date.now() - started;
  try {
    const hops: number[] = [];
    let wrong = 0;
    for (let i = 0; i < lookups; i++) {
      const outcome = await lookupOnce(ring);
      if (outcome === null) wrong++;
      else hops.push(outcome);
    }
    hops.sort((a, b) => a - b);
    const mean = hops.reduce((sum, h) => sum + h, 0) / Math.max(1, hops.length);
    const p99 = hops[Math.min(hops.length - 1, Math.ceil(hops.length * 0.99) - 1)] ?? 0;
    return { nodes, lookups, meanHops: mean, p99Hops: p99, wrong, buildMs };
  } finally {
    await ring.close();
  }
}

export async function measureFailures(
  nodes: number,
  failedFraction: number,
  lookups: number,
  seed: number,
): Promise<FailureStats> {
  const successorListSize = 2 * Math.ceil(Math.log2(nodes));
  const ring = await createRing(nodes, { seed, chord: { successorListSize } });
  try {
    const victims = sample(ring.nodes(), Math.round(nodes * failedFraction), ring.random);
    for (const victim of victims) ring.crash(victim.addr);
    const rightAfter = await runLookups(ring, lookups);
    const roundsToHeal = await ring.heal();
    const afterStabilization = await runLookups(ring, lookups);
    return {
      nodes,
      successorListSize,
      failedFraction,
      lookups,
      failedRightAfter: rightAfter.failed / lookups,
      hopsRightAfter: rightAfter.meanHops,
      failedAfterStabilization: afterStabilization.failed / lookups,
      roundsToHeal,
    };
  } finally {
    await ring.close();
  }
}

async function runLookups(ring: SimRing, lookups: number): Promise<{ failed: number; meanHops: number }> {
  let failed = 0;
  let hops = 0;
  for (let i = 0; i < lookups; i++) {
    const outcome = await lookupOnce(ring);
    if (outcome === null) failed++;
    else hops += outcome;
  }
  return { failed, meanHops: hops / Math.max(1, lookups - failed) };
}

/** One lookup of a random key from a random live node: its hop count, or null if it failed. */
async function lookupOnce(ring: SimRing): Promise<number | null> {
  const nodes = ring.nodes();
  const from = nodes[Math.floor(ring.random() * nodes.length)];
  const key = randomKey(ring.random);
  try {
    const result = await from.chord.lookup(key);
    return result.node.addr === ring.ownerOf(key).addr ? result.hops : null;
  } catch (error) {
    if (error instanceof RingUnavailable) return null;
    throw error;
  }
}
