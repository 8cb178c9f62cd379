/** A Ring over a static, shared membership list: enough to test the store without Chord. */
import { betweenRightIncl, type RingId } from "@wisp/lib";
import {
  type LookupOptions,
  type LookupResult,
  type NodeRef,
  type Ring,
  RingUnavailable,
} from "../../src/chord/ring";
import { testRef } from "../fixtures/node-refs";

export class Membership {
  private nodes: NodeRef[] = [];
  private listeners = new Set<() => void>();

  add(addr: string): NodeRef {
    const node = testRef(addr);
    this.nodes = [...this.nodes, node].sort((a, b) => (a.id < b.id ? -1 : 1));
    this.changed();
    return node;
  }

  remove(addr: string): void {
    this.nodes = this.nodes.filter((n) => n.addr !== addr);
    this.changed();
  }

  all(): readonly NodeRef[] {
    return this.nodes;
  }

  /** The successor of key: the node responsible for it. */
  ownerOf(key: RingId): NodeRef | undefined {
    return this.nodes.find((n) => n.id >= key) ?? this.nodes[0];
  }

  /** The nodes after addr on the circle, nearest first. */
  after(addr: string): NodeRef[] {
    const at = this.nodes.findIndex((n) => n.addr === addr);
    if (at < 0) return [];
    return [...this.nodes.slice(at + 1), ...this.nodes.slice(0, at)];
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export class StaticRing implements Ring {
  readonly self: NodeRef;
  joined = true;
  /** Lookups fail as when no route can be found, while the node still believes it is joined. */
  noRoute = false;
  /** Forces owns() for tests of disagreeing views; null: the membership decides. */
  ownsOverride: ((key: RingId) => boolean) | null = null;
  failures: string[] = [];
  /** Unconfirmed lookups (verify: false) name this node, as a successor list lagging a join would. */
  staleOwner: NodeRef | null = null;
  /** The verify option of every lookup, in order. */
  lookups: boolean[] = [];

  constructor(
    addr: string,
    private members: Membership,
  ) {
    this.self = testRef(addr);
  }

  isJoined(): boolean {
    return this.joined;
  }

  async lookup(key: RingId, options: LookupOptions = {}): Promise<LookupResult> {
    const verify = options.verify ?? true;
    this.lookups.push(verify);
    if (!verify && this.staleOwner && this.joined && !this.noRoute) return { node: this.staleOwner, hops: 1 };
    const node = this.joined && !this.noRoute ? this.members.ownerOf(key) : undefined;
    if (!node) throw new RingUnavailable("no ring");
    return { node, hops: 1 };
  }

  successors(): readonly NodeRef[] {
    return this.members.after(this.self.addr).slice(0, 8);
  }

  predecessor(): NodeRef | null {
    return this.members.after(this.self.addr).at(-1) ?? null;
  }

  owns(key: RingId): boolean {
    if (this.ownsOverride) return this.ownsOverride(key);
    const predecessor = this.predecessor();
    return !predecessor || betweenRightIncl(predecessor.id, key, this.self.id);
  }

  reportFailure(addr: string): void {
    this.failures.push(addr);
  }

  onJoining(): () => void {
    return () => {};
  }

  joiningVia(): NodeRef | null {
    return null;
  }

  onChange(listener: () => void): () => void {
    return this.members.subscribe(listener);
  }
}
