/**
 * A testnet: N ChordNodes over one MemoryNetwork, each with its own RpcRouter. Maintenance is
 * driven directly in rounds instead of on timers, so large rings build quickly and tests are
 * deterministic. Used by the tests, the simulator and the store's tests.
 */
import type { RingId } from "@wisp/lib";
import { ChordNode, type ChordOptions } from "../chord/chord-node";
import type { NodeRef } from "../chord/ring";
import { type Clock, ManualClock } from "../clock";
import { nodeKeyFromSeed } from "../identity/node-key";
import { RpcRouter } from "../rpc/router";
import { MemoryNetwork, type MemoryTransport } from "../transport/memory";
import { seededRandom } from "./random";

export interface SimNodeContext {
  addr: string;
  transport: MemoryTransport;
  router: RpcRouter;
  clock: Clock;
  chord: ChordNode;
}

export interface RingOptions {
  network?: MemoryNetwork;
  /** Shared by every node; a ManualClock by default, so nothing runs unless driven. */
  clock?: Clock;
  /** puzzleBits defaults to 0 here: a testnet of thousands of nodes should not grind keys. */
  chord?: Omit<ChordOptions, "addr" | "key">;
  seed?: number;
  /** Called for every node after its router exists and before it joins: attach a store here. */
  onNode?: (node: SimNodeContext) => void | Promise<void>;
}

export interface SimRing {
  readonly network: MemoryNetwork;
  readonly clock: Clock;
  /** Live members, in ring order (ascending id). */
  nodes(): SimNodeContext[];
  node(addr: string): SimNodeContext | undefined;
  random(): number;
  /**
   * A new node joins through bootstrapAddr (default: a random member); unless `settle` is false, it
   * and its predecessor then stabilize, the timers that would fire next on a real network.
   */
  add(bootstrapAddr?: string, options?: { settle?: boolean }): Promise<SimNodeContext>;
  /** Makes a node vanish at once, as SIGKILL does. */
  crash(addr: string): void;
  /** Graceful leave. */
  leave(addr: string): Promise<void>;
  /** Rounds of check_predecessor + stabilize on every node, then (unless told not to) fix_fingers. */
  stabilize(rounds?: number, options?: { fingers?: boolean }): Promise<void>;
  /** The true owner of key among the live members. */
  ownerOf(key: RingId): NodeRef;
  /** Nodes whose successor or predecessor is wrong, described; empty when the ring is whole. */
  problems(): string[];
  /** Stabilizes until problems() is empty (bounded); returns the rounds used. */
  heal(maxRounds?: number): Promise<number>;
  close(): Promise<void>;
}

export async function createRing(n: number, options: RingOptions = {}): Promise<SimRing> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ring size must be a positive integer, got ${n}`);
  const ring = new Testnet(options);
  const first = await ring.spawn();
  first.chord.create();
  while (ring.size() < n) {
    // Double the ring through the members whose fingers were refreshed last, then refresh every
    // finger: stale fingers stay correct (they still precede their starts), only less short.
    const veterans = [...ring.nodes()];
    const target = Math.min(n, ring.size() * 8);
    while (ring.size() < target) await ring.add(veterans[Math.floor(ring.random() * veterans.length)].addr);
    await ring.stabilize(1, { fingers: ring.size() < n });
  }
  await ring.heal();
  return ring;
}

class Testnet implements SimRing {
  readonly network: MemoryNetwork;
  readonly clock: Clock;
  readonly random: () => number;
  private members = new Map<string, SimNodeContext>();
  /** The members in ring order, kept sorted on every insert and removal. */
  private sorted: SimNodeContext[] = [];

  constructor(private options: RingOptions) {
    this.network = options.network ?? new MemoryNetwork();
    this.clock = options.clock ?? new ManualClock();
    this.random = seededRandom(options.seed ?? 1);
  }

  size(): number {
    return this.members.size;
  }

  nodes(): SimNodeContext[] {
    return this.sorted;
  }

  node(addr: string): SimNodeContext | undefined {
    return this.members.get(addr);
  }

  async spawn(): Promise<SimNodeContext> {
    // Keys from the ring's seed, so that a seed names one layout of the ring.
    const seed = Uint8Array.from({ length: 32 }, () => Math.floor(this.random() * 256));
    const transport = this.network.transport(undefined, nodeKeyFromSeed(seed));
    const router = new RpcRouter();
    const addr = await transport.listen(router.handle);
    // One join attempt by default: a retry's backoff would wait on the manual clock forever.
    const options = { joinAttempts: 1, puzzleBits: 0, ...this.options.chord, addr, key: transport.key.key };
    const chord = new ChordNode({ transport, clock: this.clock, router }, options);
    const node = { addr, transport, router, clock: this.clock, chord };
    await this.options.onNode?.(node);
    this.members.set(addr, node);
    this.sorted.splice(this.indexOf(chord.self.id), 0, node);
    return node;
  }

  async add(bootstrapAddr?: string, options: { settle?: boolean } = {}): Promise<SimNodeContext> {
    const members = this.nodes();
    if (members.length === 0) throw new Error("no member left to join through");
    const bootstrap = bootstrapAddr ?? members[Math.floor(this.random() * members.length)].addr;
    const node = await this.spawn();
    try {
      await node.chord.join(bootstrap);
    } catch (error) {
      await this.remove(node.addr);
      throw error;
    }
    if (options.settle === false) return node;
    // Fire the timers that matter right now: the newcomer's until its successor settles, then
    // its true predecessor's, which then links to it.
    for (let i = 0; i < 256; i++) {
      const before = node.chord.successors()[0]?.addr;
      await node.chord.stabilize();
      if (node.chord.successors()[0]?.addr === before) break;
    }
    const nodes = this.nodes();
    const previous = nodes[(this.indexOf(node.chord.self.id) - 1 + nodes.length) % nodes.length];
    if (previous !== node) await previous.chord.stabilize();
    return node;
  }

  crash(addr: string): void {
    const node = this.members.get(addr);
    if (!node) throw new Error(`no live node at ${addr}`);
    this.network.crash(addr);
    node.chord.stop();
    this.forget(node);
  }

  async leave(addr: string): Promise<void> {
    const node = this.members.get(addr);
    if (!node) throw new Error(`no live node at ${addr}`);
    await node.chord.leave();
    await this.remove(addr);
  }

  async stabilize(rounds = 1, options: { fingers?: boolean } = {}): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      // Counter-clockwise order: each node copies a successor list that is already fresh.
      const order = [...this.nodes()].reverse();
      for (const node of order) await node.chord.checkPredecessor();
      for (const node of order) await node.chord.stabilize();
    }
    if (options.fingers === false) return;
    for (const node of this.nodes()) await node.chord.fixFingers();
  }

  ownerOf(key: RingId): NodeRef {
    const nodes = this.nodes();
    if (nodes.length === 0) throw new Error("the ring is empty");
    return nodes[this.indexOf(key) % nodes.length].chord.self;
  }

  problems(): string[] {
    const nodes = this.nodes();
    const found: string[] = [];
    nodes.forEach((node, i) => {
      const successor = nodes[(i + 1) % nodes.length].chord.self;
      const predecessor = nodes[(i - 1 + nodes.length) % nodes.length].chord.self;
      const alone = nodes.length === 1;
      const actualSuccessor = node.chord.successors()[0]?.addr ?? node.addr;
      const actualPredecessor = node.chord.predecessor()?.addr ?? (alone ? node.addr : "none");
      if (actualSuccessor !== successor.addr)
        found.push(`${node.addr}: successor ${actualSuccessor}, expected ${successor.addr}`);
      if (actualPredecessor !== predecessor.addr)
        found.push(`${node.addr}: predecessor ${actualPredecessor}, expected ${predecessor.addr}`);
      const expectedList = Math.min(node.chord.table.maxSuccessors, nodes.length - 1);
      if (node.chord.successors().length !== expectedList)
        found.push(`${node.addr}: ${node.chord.successors().length} successors, expected ${expectedList}`);
    });
    return found;
  }

  async heal(maxRounds = 64): Promise<number> {
    for (let round = 1; round <= maxRounds; round++) {
      await this.stabilize(1, { fingers: false });
      if (this.problems().length === 0) {
        await this.stabilize(0);
        return round;
      }
    }
    throw new Error(`ring not whole after ${maxRounds} rounds: ${this.problems().slice(0, 3).join("; ")}`);
  }

  async close(): Promise<void> {
    for (const addr of [...this.members.keys()]) await this.remove(addr);
  }

  private async remove(addr: string): Promise<void> {
    const node = this.members.get(addr);
    if (!node) return;
    node.chord.stop();
    await node.transport.close();
    this.forget(node);
  }

  private forget(node: SimNodeContext): void {
    this.members.delete(node.addr);
    const at = this.indexOf(node.chord.self.id);
    if (this.sorted[at] === node) this.sorted.splice(at, 1);
  }

  /** Index of the first member whose id is ≥ id (the members' length when none is). */
  private indexOf(id: RingId): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].chord.self.id < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
