/** What the mailbox service is built from, and its tunables with the defaults of PROTOCOL.md. */
import { DEFAULT_REPLICAS, DEFAULT_TTL_MS, MAX_WAIT_MS } from "@wisp/lib";
import type { Ring } from "../chord/ring";
import type { Clock } from "../clock";
import type { Metrics, RefusalSink } from "../metrics";
import type { RpcRouter } from "../rpc/router";
import type { Transport } from "../transport/transport";
import type { EntryStore } from "./entry";

export interface MailboxDeps {
  ring: Ring;
  transport: Transport;
  router: RpcRouter;
  clock: Clock;
  store: EntryStore;
  metrics?: Metrics;
  /** Told of what the store refuses from peers: copies, proofs, puts over a share (metrics.ts). */
  refuse?: RefusalSink;
}

export interface MailboxOptions {
  /** Copies of every entry: the owner and its next replicas − 1 successors. */
  replicas: number;
  ttlMs: number;
  maxMailboxEntries: number;
  maxMailboxBytes: number;
  /** Deadline of one node-to-node call (a long-poll fetch gets its wait on top). */
  rpcTimeoutMs: number;
  /** Period of the repair round: re-replication, hand-over of entries to their owner. */
  repairMs: number;
  /** Delay of the extra repair round that follows a change of predecessor or successors. */
  changeRepairMs: number;
  /** Period of the expiry task. */
  expiryMs: number;
  /**
   * A non-owner keeps an expired message this long past the time it may be NACKed, in case it
   * becomes the owner and must NACK: longer than Chord takes to notice a crashed predecessor.
   */
  expiryGraceMs: number;
  /**
   * No message is NACKed before this long past its expiresAt: one handed out just before may be
   * acknowledged until then (PROTOCOL.md), at whichever node owns it by then. At least a
   * retrieve's deadline.
   */
  ackGraceMs: number;
  /** Entries held by a node that is neither owner nor replica are dropped after this long. */
  strayGraceMs: number;
  /** Long-poll requests parked at once; more are answered at once. */
  maxWaiters: number;
  /** Fraction of a mailbox's limits one source (a node, or a client of this node's API) may hold at the owner. */
  sourceShare: number;
  /** Fraction of a mailbox's limits one client may send it through this node's API in a TTL. */
  clientShare: number;
}

export const MIB = 1024 * 1024;

export function withDefaults(options: Partial<MailboxOptions>): MailboxOptions {
  const repairMs = options.repairMs ?? 30_000;
  const merged: MailboxOptions = {
    replicas: DEFAULT_REPLICAS,
    ttlMs: DEFAULT_TTL_MS,
    maxMailboxEntries: 10_000,
    maxMailboxBytes: 32 * MIB,
    rpcTimeoutMs: 5_000,
    repairMs,
    changeRepairMs: 200,
    expiryMs: 1_000,
    expiryGraceMs: 10_000,
    // A retrieve's deadline; capped at the TTL for the test rings whose TTLs are seconds.
    ackGraceMs: Math.min(MAX_WAIT_MS + (options.rpcTimeoutMs ?? 5_000), options.ttlMs ?? 86_400_000),
    strayGraceMs: 2 * repairMs,
    maxWaiters: 10_000,
    sourceShare: 1 / 4,
    clientShare: 1 / 8,
    ...dropUndefined(options),
  };
  if (!Number.isInteger(merged.replicas) || merged.replicas < 1)
    throw new RangeError(`replicas must be a positive integer, got ${merged.replicas}`);
  if (!(merged.ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${merged.ttlMs}`);
  return merged;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
