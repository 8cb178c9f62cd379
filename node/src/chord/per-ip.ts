/**
 * At most a few ring members per IP (per /64 for IPv6) in a node's routing state (docs/security.md,
 * "Nodes per IP"), so one host cannot fill a table or surround a key with nodes of its own.
 * Loopback addresses have no group: a ring of 64 nodes on 127.0.0.1 works (PROTOCOL.md).
 */
import { ipGroup, parseNodeAddr } from "../identity/addr";
import { LruMap } from "../lru";
import type { NodeRef } from "./ring";

/** Members of one IP group a routing table keeps: a host's few nodes, not a swarm. */
export const MAX_NODES_PER_IP = 3;

/** The group a node address counts in, or null (loopback). A verified ref always parses. */
export function groupOfAddr(addr: string): string | null {
  const parsed = parseNodeAddr(addr);
  return parsed ? ipGroup(parsed.ip) : addr;
}

/** groupOfAddr, remembered: a table asks about the same few hundred addresses again and again. */
export class AddrGroups {
  private cache = new LruMap<string, string | null>(4_096);

  of(addr: string): string | null {
    const cached = this.cache.get(addr);
    if (cached !== undefined) return cached;
    const group = groupOfAddr(addr);
    this.cache.set(addr, group);
    return group;
  }
}

/** Counts distinct nodes per IP group; an addr is counted once, however often it is added. */
export class GroupCounts {
  private byGroup = new Map<string, Set<string>>();

  constructor(
    private readonly max: number,
    private readonly groups: AddrGroups = new AddrGroups(),
  ) {}

  /** Whether node may be added: it is counted already, it has no group, or its group has room. */
  admits(node: NodeRef): boolean {
    const group = this.groups.of(node.addr);
    if (group === null) return true;
    const members = this.byGroup.get(group);
    return !members || members.has(node.addr) || members.size < this.max;
  }

  add(node: NodeRef): void {
    const group = this.groups.of(node.addr);
    if (group === null) return;
    let members = this.byGroup.get(group);
    if (!members) {
      members = new Set();
      this.byGroup.set(group, members);
    }
    members.add(node.addr);
  }

  /** Adds node if it is admitted; answers whether it was. */
  take(node: NodeRef): boolean {
    if (!this.admits(node)) return false;
    this.add(node);
    return true;
  }
}

/** nodes in their order, less those past the max of their group. */
export function capPerIp(nodes: readonly NodeRef[], max: number): NodeRef[] {
  const counts = new GroupCounts(max);
  return nodes.filter((node) => counts.take(node));
}
