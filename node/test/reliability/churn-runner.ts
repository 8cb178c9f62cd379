/**
 * Runs one churn schedule on the Chord testnet with the store attached, checks Zave's invariants
 * after every operation and every stabilization round, and the replica count of every accepted
 * entry at each settle. Throws a ChurnViolation naming the step, with the trace so far.
 *
 * Bounds that make the property true by design (docs/reliability.md):
 * - between two settles at most MAX_DEPARTURES members crash or leave (fewer than half the
 *   successor list), and the ring keeps MIN_MEMBERS;
 * - a departure happens only if every accepted entry keeps a live holder besides the departing
 *   nodes: never more than replicas − 1 holders of a fully replicated entry go between repairs;
 * - a settle quiets the network first: repair runs over a reliable network.
 */
import type { ChordOptions } from "../../src/chord/chord-node";
import { createRing, type SimNodeContext, type SimRing, seededRandom } from "../../src/sim";
import { mailboxKey } from "../../src/store/entry";
import { MemoryNetwork } from "../../src/transport/memory";
import { envelope, mailboxOf } from "../store/fixtures";
import { SimMailboxes } from "../store/sim-mailboxes";
import { checkWhole, checkZave, type MemberView } from "./churn-invariants";
import { type ChurnCase, type ChurnOp, describeOp } from "./churn-schedule";
import { ringReport } from "./ring-report";

export const REPLICAS = 3;
export const SUCCESSOR_LIST = 8;
export const MAX_DEPARTURES = SUCCESSOR_LIST / 2;
export const MIN_MEMBERS = REPLICAS + 1;
/** Repair rounds a settle runs before the replica check: stray → owner, then owner → replicas. */
export const REPAIR_ROUNDS = 2;

const CHORD: Omit<ChordOptions, "addr" | "key"> = {
  successorListSize: SUCCESSOR_LIST,
  // A lost message costs one deadline of real time; the memory transport answers in microseconds.
  rpcTimeoutMs: 10,
  // A failed join gives up at once: its backoff sleeps on the ring's ManualClock, which nobody advances.
  joinAttempts: 1,
};
const STORE = { replicas: REPLICAS, rpcTimeoutMs: 40, strayGraceMs: 1e12 };

export class ChurnViolation extends Error {
  override name = "ChurnViolation";
}

interface Accepted {
  mailbox: string;
  id: string;
}

export interface ChurnStats {
  joins: number;
  leaves: number;
  crashes: number;
  stores: number;
  skipped: number;
  settles: number;
  checks: number;
  lossyRounds: number;
}

export function emptyStats(): ChurnStats {
  return { joins: 0, leaves: 0, crashes: 0, stores: 0, skipped: 0, settles: 0, checks: 0, lossyRounds: 0 };
}

export class ChurnRun {
  readonly trace: string[] = [];
  readonly stats: ChurnStats = emptyStats();
  private accepted: Accepted[] = [];
  private departures = 0;
  /** Messages were lost since the last settle. */
  private lossy = false;

  private constructor(
    private ring: SimRing,
    private sim: SimMailboxes,
  ) {}

  static async start(c: ChurnCase): Promise<ChurnRun> {
    const network = new MemoryNetwork({ random: seededRandom(c.seed ^ 0x5eed) });
    const sim = new SimMailboxes(STORE);
    const ring = await createRing(c.size, { network, seed: c.seed, chord: CHORD, onNode: sim.attach });
    return new ChurnRun(ring, sim);
  }

  async run(ops: readonly ChurnOp[]): Promise<void> {
    this.check("start");
    for (const [step, op] of ops.entries()) {
      const label = `op ${step} (${describeOp(op)})`;
      this.trace.push(`${label}: ${await this.apply(op)}`);
      this.check(label);
      if (op.op === "settle") continue;
      await this.ring.stabilize(1, { fingers: false });
      this.check(`${label}, stabilization round`);
    }
    await this.settle();
    this.trace.push("final settle");
  }

  async close(): Promise<void> {
    this.sim.stop();
    await this.ring.close();
  }

  private async apply(op: ChurnOp): Promise<string> {
    switch (op.op) {
      case "join":
        return this.join(op.via);
      case "leave":
        return this.depart([this.at(op.who)], "leave");
      case "crash":
        return this.depart(this.consecutive(op.who, op.run), "crash");
      case "store":
        return this.store(op.via, op.mailbox);
      case "net":
        this.ring.network.loss = op.loss;
        if (op.loss > 0) this.lossy = true;
        this.ring.network.latencyMs = op.latencyMs;
        return "ok";
      case "stabilize":
        for (let round = 0; round < op.rounds; round++) {
          await this.stabilizeRound(op.concurrent);
          this.check(`${describeOp(op)}, round ${round + 1}`);
        }
        return "ok";
      case "fingers":
        for (const node of [...this.ring.nodes()]) await node.chord.fixFingers();
        return "ok";
      case "repair":
        await this.sim.repairAll(this.ring);
        return "ok";
      case "settle":
        return this.settle();
    }
  }

  private async join(via: number): Promise<string> {
    try {
      const node = await this.ring.add(this.at(via).addr);
      this.stats.joins++;
      return `joined ${node.addr}`;
    } catch (error) {
      return `join failed: ${error instanceof Error ? error.message : error}`;
    }
  }

  private async depart(nodes: SimNodeContext[], how: "leave" | "crash"): Promise<string> {
    const addrs = nodes.map((n) => n.addr);
    const refusal = this.refuseDeparture(addrs);
    if (refusal) {
      this.stats.skipped++;
      return `skipped: ${refusal}`;
    }
    this.departures += addrs.length;
    for (const addr of addrs) {
      if (how === "crash") this.sim.crash(this.ring, addr);
      else await this.sim.leave(this.ring, addr);
    }
    if (how === "crash") this.stats.crashes += addrs.length;
    else this.stats.leaves += addrs.length;
    return `${how} ${addrs.join(" ")}`;
  }

  private refuseDeparture(addrs: string[]): string | null {
    const live = this.ring.nodes().length;
    if (live - addrs.length < MIN_MEMBERS) return `would leave fewer than ${MIN_MEMBERS} members`;
    if (this.departures + addrs.length > MAX_DEPARTURES)
      return `more than ${MAX_DEPARTURES} departures between settles`;
    const going = new Set(addrs);
    for (const { mailbox, id } of this.accepted) {
      const holders = this.sim.holdersOf(this.ring, mailbox, id);
      if (holders.every((h) => going.has(h)))
        return `entry ${id} would lose its last holders ${holders.join(" ")}`;
    }
    return null;
  }

  private async store(via: number, mailboxSeed: number): Promise<string> {
    const mailbox = mailboxOf(10_000 + mailboxSeed);
    const env = envelope(mailbox);
    try {
      const outcome = await this.sim.service(this.at(via)).store(env);
      if (!outcome.created) return `stored ${env.id}: not created`;
      this.accepted.push({ mailbox, id: env.id });
      this.stats.stores++;
      return `stored ${env.id} on ${this.sim.holdersOf(this.ring, mailbox, env.id).length} holder(s)`;
    } catch (error) {
      return `store refused: ${error instanceof Error ? error.message : error}`;
    }
  }

  /** A quiet network; the ring healed and whole; repair; every accepted entry on its replica set. */
  private async settle(): Promise<string> {
    this.ring.network.loss = 0;
    this.ring.network.latencyMs = 0;
    let rounds: number;
    try {
      rounds = await this.ring.heal();
    } catch (error) {
      throw this.violation("settle", [error instanceof Error ? error.message : String(error)]);
    }
    const whole = checkWhole(this.views());
    if (whole.length > 0) throw this.violation("settle", whole);
    for (let round = 0; round < REPAIR_ROUNDS; round++) await this.sim.repairAll(this.ring);
    const missing = this.replicaProblems();
    if (missing.length > 0) throw this.violation("settle, replica count", missing);
    this.departures = 0;
    this.lossy = false;
    this.stats.settles++;
    return `healed in ${rounds} round(s), ${this.accepted.length} entries on ${REPLICAS} replicas`;
  }

  /** Accepted entries not held by their owner and its replicas − 1 successors. */
  private replicaProblems(): string[] {
    const nodes = this.ring.nodes();
    const problems: string[] = [];
    for (const { mailbox, id } of this.accepted) {
      const owner = this.ring.ownerOf(mailboxKey(mailbox));
      const at = nodes.findIndex((n) => n.addr === owner.addr);
      const expected = Array.from({ length: REPLICAS }, (_, i) => nodes[(at + i) % nodes.length].addr);
      const lacking = expected.filter((addr) => !this.sim.store(addr).get(mailbox, id));
      if (lacking.length === 0) continue;
      const holders = this.sim.holdersOf(this.ring, mailbox, id);
      problems.push(
        `entry ${id}: missing on ${lacking.join(" ")} (held by ${holders.join(" ") || "nobody"})`,
      );
    }
    return problems;
  }

  private async stabilizeRound(concurrent: boolean): Promise<void> {
    if (!concurrent) return this.ring.stabilize(1, { fingers: false });
    const nodes = [...this.ring.nodes()];
    await Promise.all(nodes.map((n) => n.chord.checkPredecessor()));
    await Promise.all(nodes.map((n) => n.chord.stabilize()));
  }

  private check(where: string): void {
    // Zave's proof assumes a failure is detected only when it happened; a lost answer makes a live
    // peer look dead, so after loss the invariants are owed again only from the next settle on.
    if (this.lossy) {
      this.stats.lossyRounds++;
      return;
    }
    this.stats.checks++;
    const report = checkZave(this.views());
    if (report.violations.length > 0) throw this.violation(where, report.violations);
  }

  private views(): MemberView[] {
    return this.ring
      .nodes()
      .map((n) => ({ addr: n.addr, id: n.chord.self.id, successors: n.chord.successors() }));
  }

  private violation(where: string, problems: string[]): ChurnViolation {
    return new ChurnViolation(ringReport(where, problems, this.ring.nodes(), this.trace));
  }

  private at(index: number): SimNodeContext {
    const nodes = this.ring.nodes();
    return nodes[index % nodes.length];
  }

  /** count consecutive live members in ring order, from the index-th on. */
  private consecutive(index: number, count: number): SimNodeContext[] {
    const nodes = this.ring.nodes();
    const first = index % nodes.length;
    return Array.from({ length: Math.min(count, nodes.length) }, (_, i) => nodes[(first + i) % nodes.length]);
  }
}
