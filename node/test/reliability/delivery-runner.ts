/**
 * Runs one delivery schedule (delivery-schedule.ts) on the Chord testnet with the store attached
 * and checks issue 16's invariants:
 * - after every step on a quiet network, and through every member at each settle: each message
 *   answered `created`, neither acknowledged nor expired, is in the answer of any retrieve of its
 *   mailbox that answers at all (a node may answer `unavailable`, never "empty" wrongly);
 * - at the end, after every TTL and grace has passed: each accepted message is either acknowledged
 *   (delivered) or NACKed to its sender, never both, never neither.
 *
 * The recipient model and the verdicts are in delivery-books.ts. Departures are bounded as in the churn property: never the last holders of an entry, at most replicas − 1
 * between settles, never below MIN_MEMBERS, never a node with NACKs still queued.
 */
import type { ChordOptions } from "../../src/chord/chord-node";
import { ManualClock } from "../../src/clock";
import { createRing, type SimNodeContext, type SimRing, seededRandom } from "../../src/sim";
import { mailboxKey } from "../../src/store/entry";
import { MemoryNetwork } from "../../src/transport/memory";
import { proofFor } from "../fixtures/retrieve-proofs";
import { envelope, mailboxOf } from "../store/fixtures";
import { SimMailboxes } from "../store/sim-mailboxes";
import { DeliveryBooks, emptyDeliveryStats, senderNacks } from "./delivery-books";
import { type DeliveryCase, type DeliveryOp, describeDeliveryOp, SENDERS } from "./delivery-schedule";
import { ringReport } from "./ring-report";

const REPLICAS = 3;
const MIN_MEMBERS = REPLICAS + 1;
const MAX_DEPARTURES = REPLICAS - 1;
export const TTL_MS = 20_000;
const EXPIRY_GRACE_MS = 10_000;
/** The end phase: past every TTL, the non-owners' grace and the acknowledgement grace, twice. */
const END_SECONDS = (2 * (TTL_MS + EXPIRY_GRACE_MS + 30_000)) / 1_000;

const CHORD: Omit<ChordOptions, "addr" | "key"> = { successorListSize: 8, rpcTimeoutMs: 10, joinAttempts: 1 };
const STORE = { replicas: REPLICAS, rpcTimeoutMs: 40, ttlMs: TTL_MS, expiryGraceMs: EXPIRY_GRACE_MS };

export class DeliveryViolation extends Error {
  override name = "DeliveryViolation";
}

export class DeliveryRun {
  readonly trace: string[] = [];
  readonly stats = emptyDeliveryStats();
  private books = new DeliveryBooks(this.stats);
  private departures = 0;
  private lossy = false;
  private readonly pick: () => number;

  private constructor(
    private ring: SimRing,
    private sim: SimMailboxes,
    private clock: ManualClock,
    seed: number,
  ) {
    this.pick = seededRandom(seed ^ 0xc4ec);
  }

  static async start(c: DeliveryCase): Promise<DeliveryRun> {
    const network = new MemoryNetwork({ random: seededRandom(c.seed ^ 0x5eed) });
    const clock = new ManualClock(1_000_000);
    const sim = new SimMailboxes(STORE);
    const ring = await createRing(c.size, { network, clock, seed: c.seed, chord: CHORD, onNode: sim.attach });
    return new DeliveryRun(ring, sim, clock, c.seed);
  }

  async run(ops: readonly DeliveryOp[]): Promise<void> {
    for (const [step, op] of ops.entries()) {
      const label = `op ${step} (${describeDeliveryOp(op)})`;
      this.trace.push(`${label}: ${await this.apply(op)}`);
      await this.checkRetrievable(label, [this.randomMember()]);
    }
    await this.settle("final settle");
    await this.expireEverything();
  }

  async close(): Promise<void> {
    this.sim.stop();
    await this.ring.close();
  }

  private async apply(op: DeliveryOp): Promise<string> {
    switch (op.op) {
      case "join":
        return this.join(op.via, op.settled);
      case "leave":
      case "crash":
        return this.depart(this.at(op.who), op.op);
      case "store":
        return this.store(op.via, op.mailbox, op.sender);
      case "retrieve":
        return this.retrieve(this.at(op.via), mailboxOf(op.mailbox), op.ack);
      case "net":
        this.ring.network.loss = op.loss;
        this.ring.network.latencyMs = op.latencyMs;
        this.lossy = true;
        return "ok";
      case "stabilize":
        await this.ring.stabilize(1, { fingers: false });
        return "ok";
      case "time":
        this.clock.advance(op.ms);
        await this.expiryTick();
        // A NACK lives one TTL in its sender's mailbox: a sender reads it within that, as a client polls.
        await this.readNacks();
        return `now ${this.clock.now()}`;
      case "settle":
        return this.settle("settle");
    }
  }

  private async join(via: number, settled: boolean): Promise<string> {
    try {
      const node = await this.ring.add(this.at(via).addr, { settle: settled });
      this.stats.joins++;
      return `joined ${node.addr}`;
    } catch (error) {
      return `join failed: ${message(error)}`;
    }
  }

  private async depart(node: SimNodeContext, how: "leave" | "crash"): Promise<string> {
    const refusal = this.refuseDeparture(node);
    if (refusal) {
      this.stats.refusedDepartures++;
      return `skipped: ${refusal}`;
    }
    this.departures++;
    this.stats.departures++;
    if (how === "crash") this.sim.crash(this.ring, node.addr);
    else await this.sim.leave(this.ring, node.addr);
    return `${how} ${node.addr}`;
  }

  private refuseDeparture(node: SimNodeContext): string | null {
    if (this.ring.nodes().length - 1 < MIN_MEMBERS) return `would leave fewer than ${MIN_MEMBERS} members`;
    if (this.departures + 1 > MAX_DEPARTURES) return `more than ${MAX_DEPARTURES} departures between settles`;
    if (this.sim.service(node).expiry.pendingNacks > 0) return "it has NACKs queued";
    for (const m of this.books.accepted.values()) {
      if (m.acked) continue;
      const holders = [
        ...this.sim.holdersOf(this.ring, m.mailbox, m.id),
        ...this.sim.holdersOf(this.ring, m.nackTo, m.id),
      ];
      if (holders.every((h) => h === node.addr)) return `entry ${m.id} would lose its last holder`;
    }
    return null;
  }

  private async store(via: number, mailboxSeed: number, sender: number): Promise<string> {
    const mailbox = mailboxOf(mailboxSeed);
    const env = envelope(mailbox, mailboxOf(1_000 + (sender % SENDERS)));
    try {
      const outcome = await this.sim.service(this.at(via)).store(env);
      if (!outcome.created) return `stored ${env.id}: not created`;
      this.books.accept({ mailbox, nackTo: env.nackTo, id: env.id, expiresAt: outcome.expiresAt });
      return `stored ${env.id} on ${this.sim.holdersOf(this.ring, mailbox, env.id).join(" ")}`;
    } catch (error) {
      return `store refused: ${message(error)}`;
    }
  }

  /**
   * The recipient's retrieve: acknowledges what it opened within the window; with `ack`, it then
   * acknowledges what this answer brought at once, in a second request, as a client's loop does.
   */
  private async retrieve(via: SimNodeContext, mailbox: string, ack: boolean): Promise<string> {
    const first = await this.retrieveOnce(via, mailbox);
    if (!ack || first === null) return first ?? "retrieve failed";
    return `${first}; ${(await this.retrieveOnce(via, mailbox)) ?? "retrieve failed"}`;
  }

  private async retrieveOnce(via: SimNodeContext, mailbox: string): Promise<string | null> {
    const now = this.clock.now();
    const acks = this.books.acksFor(mailbox, now);
    let answer: { messages: { id: string }[] };
    try {
      answer = await this.sim
        .service(via)
        .retrieve(mailbox, proofFor(mailbox, acks, this.clock.now()), { waitMs: 0 });
    } catch {
      this.stats.unavailable++;
      this.books.lost(acks);
      return null;
    }
    this.books.answered(
      mailbox,
      acks,
      answer.messages.map((m) => m.id),
      now,
    );
    return `got ${answer.messages.length}, acked ${acks.length}`;
  }

  /** Every live member's expiry task, in ring order. */
  private async expiryTick(): Promise<void> {
    for (const node of [...this.ring.nodes()]) await this.sim.service(node).expiry.tick();
  }

  private async settle(label: string): Promise<string> {
    this.ring.network.loss = 0;
    this.ring.network.latencyMs = 0;
    this.lossy = false;
    let rounds: number;
    try {
      rounds = await this.ring.heal();
    } catch (error) {
      throw this.violation(label, [message(error)]);
    }
    for (let round = 0; round < 2; round++) await this.sim.repairAll(this.ring);
    this.departures = 0;
    await this.checkRetrievable(label, this.ring.nodes());
    return `healed in ${rounds} round(s)`;
  }

  private async checkRetrievable(where: string, through: readonly SimNodeContext[]): Promise<void> {
    if (this.lossy) {
      this.stats.skippedChecks++;
      return;
    }
    const mailboxes = new Set(this.books.live(this.clock.now()).map((m) => m.mailbox));
    const problems: string[] = [];
    for (const mailbox of mailboxes) {
      for (const node of through) {
        let got: Set<string>;
        try {
          const answer = await this.sim
            .service(node)
            .retrieve(mailbox, proofFor(mailbox, [], this.clock.now()), { waitMs: 0 });
          got = new Set(answer.messages.map((m) => m.id));
        } catch {
          this.stats.unavailable++;
          continue;
        }
        this.stats.checks++;
        // Expiry is judged after the answer: a message that expired meanwhile is no longer owed.
        const missing = this.books.live(this.clock.now(), mailbox).filter((m) => !got.has(m.id));
        for (const m of missing)
          problems.push(
            `${m.id} (mailbox ${mailbox.slice(0, 6)}, owner ${this.ring.ownerOf(mailboxKey(mailbox)).addr}) missing from the answer through ${node.addr}; held by ${this.sim.holdersOf(this.ring, m.mailbox, m.id).join(" ") || "nobody"}`,
          );
      }
    }
    if (problems.length > 0) throw this.violation(where, problems);
  }

  /**
   * Past every TTL and grace: each accepted message delivered XOR NACKed. The nodes' periodic
   * work goes on meanwhile, as their timers would run it: stabilization and expiry every second,
   * repair every 5 s; the senders read their NACKs every 5 s, well within a NACK's TTL.
   */
  private async expireEverything(): Promise<void> {
    // In expiry ticks of a second, as a node runs them: a NACK is retried for one TTL only.
    for (let second = 1; second <= END_SECONDS; second++) {
      this.clock.advance(1_000);
      await this.ring.stabilize(1, { fingers: false });
      await this.expiryTick();
      if (second % 5 !== 0) continue;
      await this.sim.repairAll(this.ring);
      await this.readNacks();
    }
    const problems = this.books.verdicts(
      (m) => `copies on ${this.sim.holdersOf(this.ring, m.mailbox, m.id).join(" ") || "nobody"}`,
    );
    if (problems.length > 0) throw this.violation("the end, every TTL passed", problems);
  }

  private async readNacks(): Promise<void> {
    this.books.sawNacks(await senderNacks(this.sim, this.ring.nodes(), this.clock.now()));
  }

  private violation(where: string, problems: string[]): DeliveryViolation {
    return new DeliveryViolation(ringReport(where, problems, this.ring.nodes(), this.trace, 3));
  }

  private at(index: number): SimNodeContext {
    const nodes = this.ring.nodes();
    return nodes[index % nodes.length];
  }

  private randomMember(): SimNodeContext {
    return this.at(Math.floor(this.pick() * 1_000));
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
