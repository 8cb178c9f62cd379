/** What a ChordNode is built from, and its timings (defaults a user would pick on a real network). */
import type { Clock } from "../clock";
import type { Metrics } from "../metrics";
import type { RpcRouter } from "../rpc/router";
import type { Transport } from "../transport/transport";
import type { RoutingTable } from "./routing-table";

export interface ChordComponents {
  transport: Transport;
  clock: Clock;
  router: RpcRouter;
  metrics?: Metrics;
}

export interface ChordOptions {
  /** The address the transport listens at (canonical literal IP and port). */
  addr: string;
  /** b64u of the node's Ed25519 public key; the ring id is bound to it and the IP of addr. */
  key: string;
  /** Leading zero bits every peer's key must have (docs/security.md); the same on every node of a ring. */
  puzzleBits?: number;
  successorListSize?: number;
  stabilizeMs?: number;
  fixFingersMs?: number;
  checkPredecessorMs?: number;
  rpcTimeoutMs?: number;
  lookupTimeoutMs?: number;
  maxLookupHops?: number;
  /** Attempts to reach the bootstrap node before join gives up. */
  joinAttempts?: number;
  /** First pause between join attempts; doubles each time up to joinBackoffMaxMs. */
  joinBackoffMs?: number;
  joinBackoffMaxMs?: number;
  /**
   * Delay of the stabilize round that a change triggers (a notify from a new neighbour, a leave, a
   * failed successor); changes in one burst share it, so it is also the rounds' minimum gap.
   */
  reactMs?: number;
}

export const CHORD_DEFAULTS = {
  successorListSize: 8,
  stabilizeMs: 1_000,
  fixFingersMs: 1_000,
  checkPredecessorMs: 2_000,
  rpcTimeoutMs: 2_000,
  lookupTimeoutMs: 10_000,
  maxLookupHops: 64,
  joinAttempts: 8,
  joinBackoffMs: 250,
  joinBackoffMaxMs: 8_000,
  reactMs: 20,
} satisfies Omit<Required<ChordOptions>, "addr" | "key" | "puzzleBits">;

/** The options with every default filled in; the puzzle's bits stay the caller's (RefVerifier defaults them). */
export function withDefaults(options: ChordOptions): Required<Omit<ChordOptions, "puzzleBits">> {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...CHORD_DEFAULTS, ...given, addr: options.addr, key: options.key };
}

export function registerChordMetrics(metrics: Metrics | undefined, table: RoutingTable): void {
  metrics?.counter("wisp_chord_lookups_total", "Lookups asked of Chord on this node (not fix_fingers')");
  metrics?.counter("wisp_chord_lookup_hops_total", "Sum of the hops of successful lookups");
  metrics?.counter("wisp_chord_lookup_failures_total", "Lookups that ended in RingUnavailable");
  metrics?.counter("wisp_chord_peer_failures_total", "Peers dropped from the routing state as failed");
  metrics?.gauge("wisp_chord_successors", "Length of the successor list", () => table.successors().length);
}
