/**
 * An in-process network with the semantics of the TCP transport: messages are copied through
 * JSON, sizes are limited, deadlines apply, and a closed or crashed node is unreachable. Optional
 * latency and loss make it a test bed for failures. Used by the tests and the simulator.
 */
import {
  MAX_FRAME_BYTES,
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

export class MemoryNetwork {
  private listeners = new Map<string, RequestHandler>();
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

  /** A transport that will listen at `addr` (default: a fresh "mem:N" address). */
  transport(addr = `10.0.0.1:${this.nextPort++}`): MemoryTransport {
    return new MemoryTransport(this, addr);
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
  bind(addr: string, handler: RequestHandler): void {
    if (this.listeners.has(addr)) throw new Error(`address ${addr} is already in use`);
    this.listeners.set(addr, handler);
  }

  /** @internal */
  unbind(addr: string, handler: RequestHandler): void {
    if (this.listeners.get(addr) !== handler) return;
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
  handlerAt(addr: string): RequestHandler | undefined {
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

  constructor(
    private network: MemoryNetwork,
    readonly addr: string,
  ) {}

  async listen(handler: RequestHandler): Promise<string> {
    if (this.closed) throw new TransportError("closed", "transport is closed");
    this.network.bind(this.addr, handler);
    this.handler = handler;
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
      this.deliver(to, payload).then(
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

  private async deliver(to: string, payload: string): Promise<WireMessage> {
    await this.delay();
    const handler = this.network.handlerAt(to);
    if (!handler) throw new TransportError("unreachable", `nobody listens at ${to}`);
    if (this.network.dropped()) return never();
    this.network.delivered++;
    let answer: WireMessage;
    try {
      answer = await handler(JSON.parse(payload) as WireMessage);
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
    if (!this.network.handlerAt(to))
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
