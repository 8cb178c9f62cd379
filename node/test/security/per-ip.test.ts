/**
 * At most a few ring members per IP (per /64 for IPv6) in a node's routing state (issue 12 item 2;
 * chord/per-ip.ts): one host cannot fill a table or surround a key, loopback has no limit
 * (PROTOCOL.md). First the rule on addresses alone, then a ring on the memory transport, where
 * nodes may listen at any address: one host runs many nodes of Wisp's own code on one IP.
 */
import { distance, ID_BITS } from "@wisp/lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChordNode } from "../../src/chord/chord-node";
import { capPerIp, groupOfAddr, MAX_NODES_PER_IP } from "../../src/chord/per-ip";
import type { NodeRef } from "../../src/chord/ring";
import { RoutingTable } from "../../src/chord/routing-table";
import { systemClock } from "../../src/clock";
import { RpcRouter } from "../../src/rpc/router";
import { MemoryNetwork, type MemoryTransport } from "../../src/transport/memory";
import { testKey, testRef } from "../fixtures/node-refs";
import { until } from "./harness";

const HOST = "10.66.0.1";
const inGroup = (nodes: readonly NodeRef[], ip: string) =>
  new Set(nodes.filter((node) => groupOfAddr(node.addr) === groupOfAddr(`${ip}:1`)).map((n) => n.addr)).size;

describe("the per-IP rule on addresses", () => {
  it("groups IPv4 by address, IPv6 by /64, and loopback not at all", () => {
    expect(groupOfAddr("127.0.0.1:7400")).toBeNull();
    expect(groupOfAddr("[::1]:7400")).toBeNull();
    expect(groupOfAddr("203.0.113.7:1")).toBe(groupOfAddr("203.0.113.7:2"));
    expect(groupOfAddr("203.0.113.7:1")).not.toBe(groupOfAddr("203.0.113.8:1"));
    expect(groupOfAddr("[2001:db8:1:2::1]:1")).toBe(groupOfAddr("[2001:db8:1:2:ffff::9]:7400"));
    expect(groupOfAddr("[2001:db8:1:2::1]:1")).not.toBe(groupOfAddr("[2001:db8:1:3::1]:1"));
  });

  it("keeps the first few of a group in order, every loopback node, and each address once", () => {
    const host = Array.from({ length: 6 }, (_, i) => testRef(`${HOST}:${i + 1}`));
    const other = testRef("203.0.113.9:1");
    const local = Array.from({ length: 64 }, (_, i) => testRef(`127.0.0.1:${i + 1}`));
    const capped = capPerIp([host[0], other, ...host.slice(1), host[0], ...local], MAX_NODES_PER_IP);
    expect(capped.map((n) => n.addr)).toEqual(
      [host[0], other, host[1], host[2], host[0], ...local].map((n) => n.addr),
    );
  });
});

describe("a routing table", () => {
  const self = testRef("198.51.100.1:7400");
  const byDistance = (nodes: NodeRef[], from = self) =>
    [...nodes].sort((a, b) => (distance(from.id, a.id) < distance(from.id, b.id) ? -1 : 1));

  it("lists at most a few successors of one IP, the nearest, and always the first successor", () => {
    const table = new RoutingTable(self, 8);
    const host = byDistance(Array.from({ length: 8 }, (_, i) => testRef(`${HOST}:${i + 1}`)));
    const honest = byDistance(Array.from({ length: 4 }, (_, i) => testRef(`203.0.113.${i + 1}:7400`)));
    table.setSuccessors(byDistance([...host, ...honest]));
    expect(inGroup(table.successors(), HOST)).toBe(MAX_NODES_PER_IP);
    expect(table.successors().filter((n) => honest.includes(n))).toHaveLength(4);
    const nearest = byDistance([...host, ...honest])[0];
    expect(table.successor()?.addr).toBe(nearest.addr);
  });

  it("fills no more fingers with one IP than the cap, and frees them when successors take its room", () => {
    const table = new RoutingTable(self, 8);
    const host = Array.from({ length: 8 }, (_, i) => testRef(`${HOST}:${i + 1}`));
    for (const [i, node] of host.entries()) table.setFinger(ID_BITS - 1 - i, node);
    const fingers = () =>
      Array.from({ length: ID_BITS }, (_, i) => table.finger(i)).filter((n) => n !== null);
    expect(inGroup(fingers(), HOST)).toBe(MAX_NODES_PER_IP);
    table.setSuccessors(byDistance(host.slice(3, 6)));
    expect(inGroup([...fingers(), ...table.successors()], HOST)).toBe(MAX_NODES_PER_IP);
  });

  it("holds 64 nodes of 127.0.0.1", () => {
    const local = testRef("127.0.0.1:1");
    const table = new RoutingTable(local, 64);
    const others = byDistance(
      Array.from({ length: 64 }, (_, i) => testRef(`127.0.0.1:${i + 2}`)),
      local,
    );
    table.setSuccessors(others);
    expect(table.successors()).toHaveLength(64);
  });
});

describe("a ring where one host runs many nodes (memory transport)", () => {
  const FAST = {
    puzzleBits: 0,
    stabilizeMs: 20,
    fixFingersMs: 20,
    checkPredecessorMs: 40,
    rpcTimeoutMs: 300,
    lookupTimeoutMs: 2_000,
    joinBackoffMs: 5,
    joinBackoffMaxMs: 40,
  };
  const network = new MemoryNetwork();
  const nodes: { chord: ChordNode; transport: MemoryTransport }[] = [];
  const honest = () => nodes.filter((n) => groupOfAddr(n.chord.self.addr) !== groupOfAddr(`${HOST}:1`));

  async function spawn(addr: string) {
    const transport = network.transport(addr, testKey(addr));
    const router = new RpcRouter();
    const listened = await transport.listen(router.handle);
    const chord = new ChordNode(
      { transport, clock: systemClock, router },
      { ...FAST, addr: listened, key: transport.key.key },
    );
    nodes.push({ chord, transport });
    return chord;
  }

  beforeAll(async () => {
    const first = await spawn("203.0.113.1:7400");
    first.create();
    first.start();
    const addrs = [
      ...Array.from({ length: 5 }, (_, i) => `203.0.113.${i + 2}:7400`),
      ...Array.from({ length: 8 }, (_, i) => `${HOST}:${7400 + i}`),
    ];
    for (const addr of addrs) {
      const chord = await spawn(addr);
      await chord.join(first.self.addr);
      chord.start();
    }
    const ids = honest().map((n) => n.chord.self);
    // Each honest node's first successor is the next node of the whole ring (no rule skips it),
    // and its list is full: its 5 honest peers and at most 3 of the host's 8 nodes.
    const all = [...nodes].map((n) => n.chord.self).sort((a, b) => (a.id < b.id ? -1 : 1));
    await until(
      () =>
        honest().every((n) => {
          const i = all.findIndex((ref) => ref.addr === n.chord.self.addr);
          const list = n.chord.successors();
          return list[0]?.addr === all[(i + 1) % all.length].addr && list.length === 8;
        }),
      `${ids.length} honest nodes to find their successors`,
      400,
    );
  }, 60_000);

  afterAll(async () => {
    for (const node of nodes) {
      node.chord.stop();
      await node.transport.close();
    }
  });

  it("no honest node holds more than the cap of the host's nodes in its successors and fingers", () => {
    for (const { chord } of honest()) {
      const fingers = Array.from({ length: ID_BITS }, (_, i) => chord.table.finger(i)).filter(
        (n): n is NodeRef => n !== null,
      );
      expect(inGroup(chord.successors(), HOST)).toBeLessThanOrEqual(MAX_NODES_PER_IP);
      expect(inGroup([...fingers, ...chord.successors()], HOST)).toBeLessThanOrEqual(MAX_NODES_PER_IP);
    }
  });

  it("still finds every honest node's keys from every honest node", async () => {
    for (const { chord } of honest())
      for (const target of honest()) {
        const found = await chord.lookup(target.chord.self.id);
        expect(found.node.addr).toBe(target.chord.self.addr);
      }
  });
});
