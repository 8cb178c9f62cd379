/**
 * An in-process network with the semantics of the TCP transport: messages are copied through
 * JSON, sizes are limited, deadlines apply, a closed or crashed node is unreachable, and every
 * request reaches its handler with the sender's identity (key, ring id, listen address), as a
 * completed handshake proves it over TCP; a request expecting another key than the one at its
 * address fails with "wrong_key". There are no links, so a request always reaches the node
 * listening at its address (`anyLink` changes nothing). Optional latency and loss make it a test
 * bed for failures. Used by the tests and the simulator.
 */
import { parseNodeAddr } from "../identity/addr";
import { nodeIdOf } from "../identity/node-id";
import { generateNodeKey, type NodeKey } from "../identity/node-key";
import {
  MAX_FRAME_BYTES,
  type PeerIdentity,
  type RequestHandler,
  type RequestOptions,
  type Transport,
  TransportError,
  type WireMessage,
} from "./transport";

/** Remote reasons are short codes and messages, never stack traces (as over TCP). */
const MAX_REASON_CHARS = 500;

export interface MemoryNetworkOptions {
  /** One-way delay of every message, in ms (0: delivered on the next microtask). */
  latencyMs?: number;
  /** Probability in [0, 1) that a request or its answer is dropped; the caller then times out. */
  loss?: number;
  /** Source of randomness for loss, so schedules can be replayed from a seed. */
  random?: () => number;
}

interface Listener {
  handler: RequestHandler;
  key: string;
}

export class MemoryNetwork {
  private listeners = new Map<string, Listener>();
  /** Requests on their way to, or waiting at, each address; they fail when it goes away. */
  private inFlight = new Map<string, Set<(error: TransportError) => void>>();
  private nextPort = 1;
  latencyMs: number;
  loss: number;
  private random: () => number;
  /** Requests delivered so far, for the simulator's statistics. */
  delivered = 0;

  constructor(options: MemoryNetworkOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.loss = options.loss ?? 0;
    this.random = options.random ?? Math.random;
  }

  /**
   * A transport that will listen at `addr` (default: a fresh "127.0.0.1:N", on loopback like
   * bin/run's ring, so no per-IP limit applies), holding `key` (default: a fresh key; the memory
   * network asks no puzzle of its own, the ring's rules do).
   */
  transport(addr = `127.0.0.1:${this.nextPort++}`, key: NodeKey = generateNodeKey(0)): MemoryTransport {
    return new MemoryTransport(this, addr, key);
  }

  isListening(addr: string): boolean {
    return this.listeners.has(addr);
  }

  /** Makes addr vanish at once, as a SIGKILLed process does. */
  crash(addr: string): void {
    this.listeners.delete(addr);
    this.failInFlight(addr);
  }

  /** @internal */
  bind(addr: string, handler: RequestHandler, key: string): void {
    if (this.listeners.has(addr)) throw new Error(`address ${addr} is already in use`);
    this.listeners.set(addr, { handler, key });
  }

  /** @internal */
  unbind(addr: string, handler: RequestHandler): void {
    if (this.listeners.get(addr)?.handler !== handler) return;
    this.listeners.delete(addr);
    this.failInFlight(addr);
  }

  /** @internal Registers a request to `to`; call the result when it is settled. */
  track(to: string, fail: (error: TransportError) => void): () => void {
    let requests = this.inFlight.get(to);
    if (!requests) this.inFlight.set(to, (requests = new Set()));
    requests.add(fail);
    return () => {
      requests.delete(fail);
      if (requests.size === 0 && this.inFlight.get(to) === requests) this.inFlight.delete(to);
    };
  }

  /** As a broken TCP connection does, a node that goes away fails the requests it holds at once. */
  private failInFlight(addr: string): void {
    const requests = this.inFlight.get(addr);
    if (!requests) return;
    this.inFlight.delete(addr);
    for (const fail of [...requests])
      fail(new TransportError("unreachable", `${addr} went away before answering`));
  }

  /** @internal */
  listenerAt(addr: string): Listener | undefined {
    return this.listeners.get(addr);
  }

  /** @internal */
  dropped(): boolean {
    return this.loss > 0 && this.random() < this.loss;
  }
}

export class MemoryTransport implements Transport {
  private handler: RequestHandler | null = null;
  private closed = false;
  private pending = new Set<(error: TransportError) => void>();
  /** Who this transport's requests come from, as their handlers see it. */
  identity: PeerIdentity;

  constructor(
    private network: MemoryNetwork,
    readonly addr: string,
    readonly key: NodeKey,
  ) {
    const ip = parseNodeAddr(addr)?.ip ?? Buffer.from(addr);
    this.identity = { key: key.key, id: nodeIdOf(key.publicKey, ip), addr: null };
  }

  async listen(handler: RequestHandler): Promise<string> {
    if (this.closed) throw new TransportError("closed", "transport is closed");
    this.network.bind(this.addr, handler, this.key.key);
    this.handler = handler;
    this.identity = { ...this.identity, addr: this.addr };
    return this.addr;
  }

  request(to: string, message: WireMessage, options: RequestOptions): Promise<WireMessage> {
    if (this.closed) return Promise.reject(new TransportError("closed", "transport is closed"));
    if (options.signal?.aborted) return Promise.reject(new TransportError("aborted", "request aborted"));
    const payload = JSON.stringify(message);
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_FRAME_BYTES) {
      return Promise.reject(
        new TransportError(
          "too_large",
          `message of ${bytes} bytes exceeds the ${MAX_FRAME_BYTES}-byte frame limit`,
        ),
      );
    }
    return new Promise<WireMessage>((resolve, reject) => {
      let done = false;
      const finish = (error: TransportError | null, answer?: WireMessage) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.pending.delete(fail);
        untrack();
        if (error) reject(error);
        else resolve(answer as WireMessage);
      };
      const fail = (error: TransportError) => finish(error);
      const onAbort = () => finish(new TransportError("aborted", "request aborted"));
      const timer = setTimeout(
        () => finish(new TransportError("timeout", `no answer from ${to} within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.add(fail);
      const untrack = this.network.track(to, fail);
      this.deliver(to, payload, options.key).then(
        (answer) => finish(null, answer),
        (error: TransportError) => finish(error),
      );
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.handler) this.network.unbind(this.addr, this.handler);
    for (const fail of [...this.pending]) fail(new TransportError("closed", "transport closed"));
  }

  private async deliver(to: string, payload: string, key: string | undefined): Promise<WireMessage> {
    await this.delay();
    const listener = this.network.listenerAt(to);
    if (!listener) throw new TransportError("unreachable", `nobody listens at ${to}`);
    if (key && listener.key !== key)
      throw new TransportError("wrong_key", `${to} holds another key than expected`);
    if (this.network.dropped()) return never();
    this.network.delivered++;
    let answer: WireMessage;
    try {
      answer = await listener.handler(JSON.parse(payload) as WireMessage, this.identity);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransportError("remote", reason.slice(0, MAX_REASON_CHARS));
    }
    if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
      throw new TransportError("remote", "handler answered with no message");
    }
    const reply = JSON.stringify(answer);
    const bytes = Buffer.byteLength(reply);
    if (bytes > MAX_FRAME_BYTES) {
      throw new TransportError(
        "remote",
        `answer of ${bytes} bytes exceeds the ${MAX_FRAME_BYTES}-byte frame limit`,
      );
    }
    await this.delay();
    if (this.network.listenerAt(to) !== listener)
      throw new TransportError("unreachable", `${to} went away before answering`);
    if (this.network.dropped()) return never();
    return JSON.parse(reply) as WireMessage;
  }

  private delay(): Promise<void> {
    const ms = this.network.latencyMs;
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

function never(): Promise<never> {
  return new Promise(() => {});
}
