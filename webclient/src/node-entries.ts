/**
 * The nodes the pool knows, best first (node-list.ts orders them), each with its client and what
 * the pool last saw of it. The pool (node-pool.ts) decides which one calls go to.
 */
import { NodeClient } from "@wisp/lib";
import { addNode, type KnownNode, MAX_LEARNED, reachableFrom } from "./node-list";

export type NodeHealth = "unknown" | "up" | "down";

export interface NodeStatus extends KnownNode {
  health: NodeHealth;
  inUse: boolean;
}

export interface NodeEntry extends KnownNode {
  client: NodeClient;
  health: NodeHealth;
  /** Answered in this session: a node worth going back to (as is one with a stored id). */
  answered: boolean;
}

export interface EntryOptions {
  fetch?: typeof fetch;
  /** Protocol of the page: an https page leaves plain-http nodes out. */
  pageProtocol: string;
  probeTimeoutMs: number;
  /** Called when a node's health or id changes. */
  changed: () => void;
}

export class NodeEntries {
  private list: NodeEntry[] = [];

  constructor(private readonly options: EntryOptions) {}

  get all(): readonly NodeEntry[] {
    return this.list;
  }

  private has(url: string): boolean {
    return this.list.some((e) => e.url === url);
  }

  find(url: string): NodeEntry | null {
    return this.list.find((e) => e.url === url) ?? null;
  }

  statuses(current: NodeEntry | null): NodeStatus[] {
    return this.list.map((e) => ({
      url: e.url,
      source: e.source,
      id: e.id,
      health: e.health,
      inUse: e === current,
    }));
  }

  known(): KnownNode[] {
    return this.list.map(({ url, source, id }) => (id ? { url, source, id } : { url, source }));
  }

  /** The user's own node replaces the one chosen before. */
  choose(url: string): void {
    this.list = this.list.filter((e) => e.source !== "chosen" || e.url === url);
    this.add({ url, source: "chosen" });
  }

  add(node: KnownNode): void {
    if (!this.reachable(node.url)) return;
    const byUrl = new Map(this.list.map((e) => [e.url, e]));
    this.list = addNode(this.list, node).map((n) => {
      const existing = byUrl.get(n.url);
      if (!existing) return { ...n, client: this.clientFor(n.url), health: "unknown", answered: false };
      existing.source = n.source;
      existing.id = n.id;
      return existing;
    });
  }

  private reachable(url: string): boolean {
    return reachableFrom(this.options.pageProtocol, url);
  }

  /**
   * Asks a node for its peers and keeps each whose URL answers with the id the node named; whether
   * any was added.
   */
  async learnFrom(from: NodeEntry, current: NodeEntry | null): Promise<boolean> {
    const peers = await from.client.peers();
    if (!peers.ok) return false;
    const fresh = peers.value.filter((peer) => !this.has(peer.api) && this.reachable(peer.api));
    const confirmed = await Promise.all(
      fresh.map(async (peer) => {
        const info = await this.clientFor(peer.api).info();
        return info.ok && info.value.id === peer.id ? peer : null;
      }),
    );
    for (const peer of confirmed) {
      if (!peer || this.has(peer.api)) continue;
      this.makeRoomForLearned(current);
      this.add({ url: peer.api, source: "learned", id: peer.id });
      const added = this.find(peer.api);
      if (added) added.health = "up";
    }
    return confirmed.some((peer) => peer);
  }

  /** A full list of learned nodes gives up one that does not answer, so it keeps finding live ones. */
  private makeRoomForLearned(current: NodeEntry | null): void {
    const learned = this.list.filter((e) => e.source === "learned");
    if (learned.length < MAX_LEARNED) return;
    const dead = learned.find((e) => e.health === "down" && e !== current);
    if (dead) this.list = this.list.filter((e) => e !== dead);
  }

  private clientFor(url: string): NodeClient {
    return new NodeClient(url, { fetch: this.options.fetch, probeTimeoutMs: this.options.probeTimeoutMs });
  }

  mark(entry: NodeEntry, health: NodeHealth): void {
    if (health === "up") entry.answered = true;
    if (entry.health === health) return;
    entry.health = health;
    this.options.changed();
  }
}
