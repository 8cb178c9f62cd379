/** N Mailboxes over a MemoryNetwork and a static ring, on one ManualClock. */
import { ManualClock } from "../../src/clock";
import { Metrics } from "../../src/metrics";
import { RpcRouter } from "../../src/rpc/router";
import { mailboxKey } from "../../src/store/entry";
import { MailboxService } from "../../src/store/mailbox-service";
import { MemoryEntryStore } from "../../src/store/memory-store";
import type { MailboxOptions } from "../../src/store/options";
import { MemoryNetwork, type MemoryTransport } from "../../src/transport/memory";
import { testKey } from "../fixtures/node-refs";
import { Membership, StaticRing } from "./static-ring";

export interface TestNode {
  addr: string;
  ring: StaticRing;
  store: MemoryEntryStore;
  mailboxes: MailboxService;
  transport: MemoryTransport;
  metrics: Metrics;
}

export class Cluster {
  readonly network = new MemoryNetwork();
  readonly members = new Membership();
  readonly clock = new ManualClock(1_000_000);
  readonly nodes: TestNode[] = [];
  private nextPort = 1;

  /** `host`: the IP every node listens on (ports 1, 2, …); loopback has no per-IP limits. */
  constructor(
    private options: Partial<MailboxOptions> = {},
    private host = "127.0.0.1",
  ) {}

  static async start(n: number, options: Partial<MailboxOptions> = {}, host?: string): Promise<Cluster> {
    const cluster = new Cluster(options, host);
    for (let i = 0; i < n; i++) await cluster.addNode();
    return cluster;
  }

  async addNode(): Promise<TestNode> {
    const at = `${this.host}:${this.nextPort++}`;
    // The static ring places each node by testRef(addr): its transport holds that same key.
    const transport = this.network.transport(at, testKey(at));
    const router = new RpcRouter();
    await transport.listen(router.handle);
    const ring = new StaticRing(transport.addr, this.members);
    const store = new MemoryEntryStore();
    const metrics = new Metrics();
    const deps = { ring, transport, router, clock: this.clock, store, metrics };
    const mailboxes = new MailboxService(deps, { rpcTimeoutMs: 500, ...this.options });
    const node = { addr: transport.addr, ring, store, mailboxes, transport, metrics };
    this.nodes.push(node);
    this.members.add(transport.addr);
    return node;
  }

  node(addr: string): TestNode {
    const found = this.nodes.find((n) => n.addr === addr);
    if (!found) throw new Error(`no node ${addr}`);
    return found;
  }

  live(): TestNode[] {
    return this.nodes.filter((n) => this.members.all().some((m) => m.addr === n.addr));
  }

  ownerOf(mailbox: string): TestNode {
    return this.node(this.members.ownerOf(mailboxKey(mailbox))!.addr);
  }

  /** A live node that is neither owner nor one of its two replicas, when there is one. */
  stranger(mailbox: string): TestNode {
    const owner = this.ownerOf(mailbox);
    const near = [
      owner.addr,
      ...this.members
        .after(owner.addr)
        .slice(0, 2)
        .map((n) => n.addr),
    ];
    return this.live().find((n) => !near.includes(n.addr)) ?? owner;
  }

  holders(mailbox: string, id: string): string[] {
    return this.nodes.filter((n) => n.store.get(mailbox, id)).map((n) => n.addr);
  }

  crash(addr: string): void {
    this.network.crash(addr);
    this.members.remove(addr);
  }

  async repairAll(): Promise<void> {
    for (const node of this.live()) await node.mailboxes.repair.round();
  }

  async expireAll(): Promise<void> {
    for (const node of this.live()) await node.mailboxes.expiry.tick();
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) {
      node.mailboxes.stop();
      await node.transport.close();
    }
  }
}
