/** What the rest of the node (store, API) needs from Chord, and nothing more. */
import type { RingId } from "@wisp/lib";

/** A node: its ring id, bound to its key and the IP of its address (docs/security.md). */
export interface NodeRef {
  id: RingId;
  addr: string;
  /** b64u of the node's Ed25519 public key, which its links prove. */
  key: string;
}

export interface LookupResult {
  /** The successor of the key: the node responsible for it. */
  node: NodeRef;
  hops: number;
}

export interface LookupOptions {
  signal?: AbortSignal;
  /** Confirm the named successor with a request to it (default true). */
  verify?: boolean;
}

export interface Ring {
  readonly self: NodeRef;
  /** Has this node created or joined a ring? (GET /v1/health) */
  isJoined(): boolean;
  /**
   * find_successor(key). Rejects with RingUnavailable when no route can be found in time.
   * `verify: false` skips the final confirmation (is the named node alive, and is key ∈
   * (its predecessor, it]?): the answer may be stale, so the caller lets that node check itself.
   */
  lookup(key: RingId, options?: LookupOptions): Promise<LookupResult>;
  /** Current successor list, nearest first (never includes self unless the ring is self alone: then empty). */
  successors(): readonly NodeRef[];
  predecessor(): NodeRef | null;
  /** Is this node the owner of key, i.e. key ∈ (predecessor, self]? True when alone. */
  owns(key: RingId): boolean;
  /** Tells Chord that a peer failed to answer so it is dropped from fingers and successors at once. */
  reportFailure(addr: string): void;
  /** Called after the predecessor or the successor list changed. Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  /**
   * Called when a joining node becomes this node's predecessor, before it is told so: the store
   * hands it the keys in (from, joiner] here, and the join fails if this rejects.
   */
  onJoining(handler: JoinHandler): () => void;
  /** While this node asks a successor to take it as predecessor: that successor, which hands it its keys. */
  joiningVia(): NodeRef | null;
}

export type JoinHandler = (joiner: NodeRef, from: RingId) => Promise<void>;

export class RingUnavailable extends Error {
  override name = "RingUnavailable";
}
