/**
 * The node API the client uses, spread over every node the app knows (node-list.ts): calls go to
 * the node in use; when it stops answering the pool moves to the best node that answers a probe
 * and repeats the call there (a store of the same envelope and a retrieve with the same signature
 * are safe to repeat). While on a lesser node it probes the preferred one and goes back to it;
 * while no node answers it probes all of them, so the app is back within a second of one answering.
 */
import type { NodeApi, NodeClient, NodeFailure, NodeResult, RetrieveRequest, StoreResponse } from "@wisp/lib";
import { type NodeEntry as Entry, NodeEntries, type NodeHealth, type NodeStatus } from "./node-entries";
import type { KnownNode, NodeSource } from "./node-list";

export interface PoolOptions {
  fetch?: typeof fetch;
  /** Protocol of the page: an https page leaves plain-http nodes out. */
  pageProtocol?: string;
  /** How often the background round runs (recovery, return to the preferred node). */
  tickMs?: number;
  /** The node in use is probed every this many ticks, so a node that hangs without closing is noticed. */
  livenessTicks?: number;
  /** Deadline of one probe. */
  probeTimeoutMs?: number;
  /** The ring is asked for more nodes every this many ticks. */
  learnTicks?: number;
}

const CALL_ATTEMPTS = 3;

export class NodePool implements NodeApi {
  private readonly entries: NodeEntries;
  private current: Entry | null = null;
  /** Aborted when the pool switches nodes: calls in flight on the old node are repeated on the new one. */
  private generation = new AbortController();
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private ticks = 0;
  private probing: Promise<void> | null = null;
  private ticking = false;
  private readonly learnedFrom = new Set<string>();
  private readonly options: Required<Omit<PoolOptions, "fetch">> & { fetch?: typeof fetch };

  constructor(nodes: readonly KnownNode[], options: PoolOptions = {}) {
    this.options = {
      pageProtocol: "http:",
      tickMs: 1_000,
      livenessTicks: 2,
      probeTimeoutMs: 1_000,
      learnTicks: 300,
      ...options,
    };
    this.entries = new NodeEntries({
      fetch: this.options.fetch,
      pageProtocol: this.options.pageProtocol,
      probeTimeoutMs: this.options.probeTimeoutMs,
      changed: () => this.emit(),
    });
    for (const node of nodes) this.entries.add(node);
    this.current = this.entries.all[0] ?? null;
  }

  /** Every known node, best first, with what the pool last saw of it. */
  nodes(): NodeStatus[] {
    return this.entries.statuses(this.current);
  }

  /** The URL calls go to now; null before any node is known. */
  inUse(): string | null {
    return this.current?.url ?? null;
  }

  /** What to keep across reloads. */
  known(): KnownNode[] {
    return this.entries.known();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.tickMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The user's own node: preferred over every other, used at once. */
  choose(url: string): void {
    this.entries.choose(url);
    this.switchTo(this.entries.find(url));
  }

  /**
   * "Reconnect now" and the browser's `online` event: probes every node at once, and repeats the
   * calls in flight (a long-poll parked on a connection from before the network changed).
   */
  async reconnect(): Promise<void> {
    await this.probeAll();
    this.renewCalls();
  }

  store(envelope: Parameters<NodeApi["store"]>[0], signal?: AbortSignal): Promise<NodeResult<StoreResponse>> {
    return this.run((client, s) => client.store(envelope, s), signal);
  }

  retrieve(request: RetrieveRequest, signal?: AbortSignal) {
    return this.run((client, s) => client.retrieve(request, s), signal);
  }

  private async run<T>(
    call: (client: NodeClient, signal: AbortSignal) => Promise<NodeResult<T>>,
    signal?: AbortSignal,
  ): Promise<NodeResult<T>> {
    let last: NodeResult<T> = failure("network", "no node is known; add one in Settings");
    for (let attempt = 0; attempt < CALL_ATTEMPTS; attempt++) {
      const entry = this.current;
      if (!entry) return last;
      const switched = this.generation.signal;
      last = await call(entry.client, signal ? AbortSignal.any([signal, switched]) : switched);
      if (signal?.aborted) return last;
      if (last.ok) {
        this.entries.mark(entry, "up");
        if (!this.learnedFrom.has(entry.url)) void this.learn(entry);
        return last;
      }
      if (switched.aborted) continue;
      if (!isOutage(last.error)) return last;
      this.entries.mark(entry, "down");
      await this.failover();
      // Another node, or this one answering its probe: a connection the network change broke
      // fails the call, while the probe's fresh one gets through.
      if (this.current?.health !== "up") return last;
    }
    return last;
  }

  /** Moves to the best node that answers a probe now; stays put (marked down) when none does. */
  private async failover(): Promise<void> {
    await this.probeAll();
    const best = this.entries.all.find((e) => e.health === "up");
    if (best && best !== this.current) this.switchTo(best);
  }

  private probeAll(): Promise<void> {
    this.probing ??= Promise.all(this.entries.all.map((e) => this.probe(e)))
      .then(() => {
        const best = this.entries.all.find((e) => e.health === "up");
        if (best && this.current?.health !== "up") this.switchTo(best);
      })
      .finally(() => {
        this.probing = null;
      });
    return this.probing;
  }

  private async probe(entry: Entry): Promise<boolean> {
    const info = await entry.client.info();
    if (!info.ok) {
      this.entries.mark(entry, "down");
      return false;
    }
    if (entry.id !== info.value.id) {
      entry.id = info.value.id;
      this.emit();
    }
    this.entries.mark(entry, "up");
    if (!this.learnedFrom.has(entry.url)) void this.learn(entry);
    return true;
  }

  private async learn(from: Entry): Promise<void> {
    this.learnedFrom.add(from.url);
    if (await this.entries.learnFrom(from, this.current)) this.emit();
  }

  /** One background round; a round still running (a probe waits up to its deadline) skips the next. */
  private async tick(): Promise<void> {
    if (this.ticking || this.probing) return;
    this.ticking = true;
    try {
      await this.round();
    } finally {
      this.ticking = false;
    }
  }

  private async round(): Promise<void> {
    this.ticks++;
    const current = this.current;
    if (!current || current.health === "down") return this.probeAll();
    const preferred = this.entries.all.find((e) => e.id !== undefined || e.answered);
    if (preferred && preferred !== current && (await this.probe(preferred))) return this.switchTo(preferred);
    if (this.ticks % this.options.livenessTicks === 0 && !(await this.probe(current))) await this.failover();
    if (this.ticks % this.options.learnTicks === 0) this.learnedFrom.clear();
  }

  private switchTo(entry: Entry | null): void {
    if (entry === this.current) return;
    this.current = entry;
    this.renewCalls();
    this.emit();
  }

  private renewCalls(): void {
    const old = this.generation;
    this.generation = new AbortController();
    old.abort();
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * Failures another node might not have: no answer, an answer that is not a node's (a static
 * server's 404, a proxy's HTML error page), a node without a route in its ring, a node's 5xx.
 */
function isOutage(error: NodeFailure): boolean {
  return OUTAGE_CODES.has(error.code) || error.status >= 500;
}

const OUTAGE_CODES = new Set(["network", "http", "bad_response", "unavailable"]);

function failure(code: string, message: string): { ok: false; error: NodeFailure } {
  return { ok: false, error: { code, status: 0, message } };
}

export type { KnownNode, NodeHealth, NodeSource, NodeStatus };
