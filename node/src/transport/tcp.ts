/**
 * The Transport over TCP (docs/node-protocol.md, "Transport and framing"). Every connection starts
 * with a Noise handshake (handshake.ts) and every frame after it is encrypted (frame-cipher.ts).
 * Every frame carries one JSON object: a request `{"i":id,"q":message}`, an answer
 * `{"i":id,"r":message}` or a failure `{"i":id,"e":"reason"}`. Outgoing connections are cached per
 * address and pipelined; inbound connections only carry requests to us and our answers. A peer
 * that fails the handshake, or sends bytes we cannot decrypt or parse, is disconnected, and
 * nothing else happens.
 */
import net from "node:net";
import { FrameDecoder } from "@wisp/lib";
import { formatNodeAddr, parseNodeAddr } from "../identity/addr";
import { ConnectionCaps } from "../identity/connection-caps";
import { DEFAULT_PUZZLE_BITS } from "../identity/node-id";
import { generateNodeKey, type NodeKey } from "../identity/node-key";
import { TAG_BYTES } from "./frame-cipher";
import { type HandshakeSettings, initiate, type Link, respond } from "./handshake";
import { errorJson, isObject, parseFrame, reasonOf } from "./tcp-wire";
import {
  MAX_FRAME_BYTES,
  type PeerIdentity,
  type RequestHandler,
  type RequestOptions,
  type Transport,
  TransportError,
  type WireMessage,
} from "./transport";

export interface TcpTransportOptions {
  /** Interface to listen on, and the host part of the address `listen` answers: a literal IP. */
  host: string;
  /** 0 picks any free port. */
  port: number;
  /** This node's key: its Noise static key (default: a fresh one solving the puzzle). */
  key?: NodeKey;
  /** Leading zero bits a peer's key must have (node-id.ts; default DEFAULT_PUZZLE_BITS). */
  puzzleBits?: number;
  /** A connection whose handshake has not completed after this long is closed. */
  handshakeTimeoutMs?: number;
  maxFrameBytes?: number;
  /** Inbound connections held at once, and per source IP (/64 for IPv6; none for loopback). */
  maxInbound?: number;
  maxInboundPerIp?: number;
  /** Bytes of partial frames all inbound connections may hold together; one that needs more is dropped. */
  partialFrameBudget?: number;
  /** An inbound connection with no traffic and no request in progress for this long is closed. */
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_INBOUND = 4_096;
const DEFAULT_MAX_INBOUND_PER_IP = 32;
const DEFAULT_PARTIAL_FRAME_BUDGET = 64 * 1024 * 1024;
/** Requests one inbound connection may have in progress; more are refused, not queued. */
const MAX_IN_FLIGHT = 1024;

interface Limits {
  maxFrameBytes: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Answers a peer may leave unread before it is disconnected. */
  maxUnreadBytes: number;
}

/** A request waiting for its connection's handshake. */
interface Queued {
  id: number;
  payload: Buffer;
  key: string | undefined;
}

interface PendingRequest {
  resolve: (answer: WireMessage) => void;
  reject: (error: TransportError) => void;
  timer: ReturnType<typeof setTimeout>;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | null;
}

export class TcpTransport implements Transport {
  private readonly limits: Limits;
  private server: net.Server | null = null;
  private readonly inbound = new Set<net.Socket>();
  private readonly outbound = new Map<string, PeerConnection>();
  private nextId = 1;
  private closed = false;
  private closing: Promise<void> | null = null;
  private stopListening: (() => void) | null = null;
  private listenAddr: string | null = null;
  private readonly puzzleBits: number;
  /** This node's key, which every handshake proves. */
  readonly key: NodeKey;
  /** Handshakes that failed, either side: for metrics and tests. */
  handshakeFailures = 0;
  private readonly caps: ConnectionCaps;
  /** Bytes of partial frames held by all inbound connections now. */
  private partialBytes = 0;

  constructor(private readonly options: TcpTransportOptions) {
    if (!parseNodeAddr(formatNodeAddr(options.host, 1)))
      throw new Error(`the node host must be a literal IP in canonical form, got "${options.host}"`);
    this.puzzleBits = options.puzzleBits ?? DEFAULT_PUZZLE_BITS;
    this.key = options.key ?? generateNodeKey(this.puzzleBits);
    this.caps = new ConnectionCaps({
      total: options.maxInbound ?? DEFAULT_MAX_INBOUND,
      perIp: options.maxInboundPerIp ?? DEFAULT_MAX_INBOUND_PER_IP,
    });
    this.limits = {
      maxFrameBytes: options.maxFrameBytes ?? MAX_FRAME_BYTES,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      maxUnreadBytes: 4 * (options.maxFrameBytes ?? MAX_FRAME_BYTES) + 1024 * 1024,
    };
  }

  async listen(handler: RequestHandler): Promise<string> {
    if (this.closed) throw new TransportError("closed", "transport is closed");
    if (this.server) throw new Error("transport is already listening");
    const server = net.createServer((socket) => this.accept(socket, handler));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        this.server = null;
        reject(error);
      };
      server.once("error", onError);
      // close() before the port is bound cancels the bind, and server.listen never calls back.
      this.stopListening = () => reject(new TransportError("closed", "transport closed before it listened"));
      server.listen(this.options.port, this.options.host, () => {
        server.off("error", onError);
        resolve();
      });
    });
    this.stopListening = null;
    server.on("error", () => {}); // accept errors (EMFILE) must not crash the node
    const { port } = server.address() as net.AddressInfo;
    this.listenAddr = formatNodeAddr(this.options.host, port);
    return this.listenAddr;
  }

  request(to: string, message: WireMessage, options: RequestOptions): Promise<WireMessage> {
    if (this.closed) return Promise.reject(new TransportError("closed", "transport is closed"));
    if (options.signal?.aborted) return Promise.reject(new TransportError("aborted", "request aborted"));
    const target = parseNodeAddr(to);
    if (!target) {
      return Promise.reject(new TransportError("unreachable", `invalid address "${to.slice(0, 100)}"`));
    }
    const id = this.nextId++;
    const payload = Buffer.from(`{"i":${id},"q":${JSON.stringify(message)}}`);
    if (payload.length > this.limits.maxFrameBytes) {
      return Promise.reject(
        new TransportError(
          "too_large",
          `message of ${payload.length} bytes exceeds the ${this.limits.maxFrameBytes}-byte frame limit`,
        ),
      );
    }
    return this.connectionTo(to, target, options.key).request({ id, payload, key: options.key }, options);
  }

  private handshakeSettings(): HandshakeSettings {
    return {
      key: this.key,
      listenAddr: this.listenAddr,
      puzzleBits: this.puzzleBits,
      timeoutMs: this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Open connections, for metrics and tests. */
  connectionCounts(): { inbound: number; outbound: number } {
    return { inbound: this.inbound.size, outbound: this.outbound.size };
  }

  /** What the limits refused and hold, for metrics and tests. */
  limitCounts(): { refusedConnections: number; handshakeFailures: number; partialBytes: number } {
    return {
      refusedConnections: this.caps.refused,
      handshakeFailures: this.handshakeFailures,
      partialBytes: this.partialBytes,
    };
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    const closed = new TransportError("closed", "transport closed");
    for (const connection of [...this.outbound.values()]) connection.shutdown(closed);
    this.outbound.clear();
    for (const socket of this.inbound) socket.destroy();
    this.inbound.clear();
    this.stopListening?.();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connectionTo(addr: string, target: { host: string; port: number }, key?: string): PeerConnection {
    const cached = this.outbound.get(addr);
    if (cached && !cached.gone) return cached;
    const connection = new PeerConnection(
      addr,
      target.host,
      target.port,
      this.limits,
      {
        handshake: () => this.handshakeSettings(),
        onGone: (gone) => {
          if (this.outbound.get(addr) === gone) this.outbound.delete(addr);
        },
        onHandshakeFailure: () => this.handshakeFailures++,
      },
      key,
    );
    this.outbound.set(addr, connection);
    return connection;
  }

  private accept(socket: net.Socket, handler: RequestHandler): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const release = this.caps.admit(socket.remoteAddress);
    if (!release) {
      socket.destroy();
      return;
    }
    this.inbound.add(socket);
    socket.once("close", release);
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleTimeoutMs);
    socket.on("error", () => {}); // "close" follows; a peer's reset is not our failure
    socket.on("close", () => this.inbound.delete(socket));
    respond(socket, this.handshakeSettings(), (result) => {
      if (!result.ok) {
        this.handshakeFailures++;
        socket.destroy();
        return;
      }
      if (this.closed) {
        socket.destroy();
        return;
      }
      this.serveLink(socket, result.link, handler);
    });
  }

  private serveLink(socket: net.Socket, link: Link, handler: RequestHandler): void {
    const peer: PeerIdentity = link.peer;
    const decoder = new FrameDecoder(this.limits.maxFrameBytes + TAG_BYTES);
    let inFlight = 0;
    let partialSince = 0;
    const answer = (id: number, json: string) => {
      if (socket.destroyed) return;
      let payload = Buffer.from(json);
      if (payload.length > this.limits.maxFrameBytes) {
        const reason = `answer of ${payload.length} bytes exceeds the ${this.limits.maxFrameBytes}-byte frame limit`;
        payload = Buffer.from(errorJson(id, reason));
      }
      writeBatched(socket, link.send.seal(payload));
      // A peer that sends requests but never reads the answers would make us buffer without end.
      if (socket.writableLength > this.limits.maxUnreadBytes) socket.destroy();
    };
    const serve = async (id: number, request: WireMessage) => {
      inFlight++;
      try {
        const reply = await handler(request, peer);
        if (!isObject(reply)) answer(id, errorJson(id, "handler answered with no message"));
        else answer(id, `{"i":${id},"r":${JSON.stringify(reply)}}`);
      } catch (error) {
        answer(id, errorJson(id, reasonOf(error)));
      } finally {
        inFlight--;
      }
    };
    let held = 0;
    const budget = this.options.partialFrameBudget ?? DEFAULT_PARTIAL_FRAME_BUDGET;
    socket.once("close", () => {
      this.partialBytes -= held;
      held = 0;
    });
    const receive = (chunk: Buffer) => {
      const result = decoder.push(chunk);
      // One budget for every connection's partial frame: a peer holding many half-sent frames
      // open is dropped once the node as a whole would hold more than the budget.
      this.partialBytes += decoder.buffered - held;
      held = decoder.buffered;
      if (!result.ok || this.partialBytes > budget) {
        socket.destroy();
        return;
      }
      // A peer trickling one frame byte by byte never goes idle; it gets idleTimeoutMs per frame.
      if (decoder.buffered === 0) partialSince = 0;
      else if (partialSince === 0 || result.frames.length > 0) partialSince = Date.now();
      else if (Date.now() - partialSince > this.limits.idleTimeoutMs) {
        socket.destroy();
        return;
      }
      for (const sealed of result.frames) {
        const frame = link.receive.open(sealed);
        const request = frame && parseFrame(frame);
        if (!request || !isObject(request.q)) {
          socket.destroy();
          return;
        }
        if (inFlight >= MAX_IN_FLIGHT) answer(request.i, errorJson(request.i, "too many requests in flight"));
        else void serve(request.i, request.q as WireMessage);
      }
    };
    socket.on("data", receive);
    socket.on("timeout", () => {
      if (inFlight === 0) socket.destroy();
    });
    if (link.rest.length > 0) receive(link.rest);
  }
}

interface ConnectionHooks {
  handshake: () => HandshakeSettings;
  onGone: (connection: PeerConnection) => void;
  onHandshakeFailure: () => void;
}

/**
 * Our connection to one peer, carrying our requests to it; answers are matched by request id.
 * Requests made before the handshake completes wait for it, each with the key it expects there.
 */
class PeerConnection {
  gone = false;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly socket: net.Socket;
  private readonly decoder: FrameDecoder;
  private connectTimer: ReturnType<typeof setTimeout> | null;
  private reason: string;
  private link: Link | null = null;
  private queued: Queued[] = [];

  constructor(
    private readonly addr: string,
    host: string,
    port: number,
    limits: Limits,
    private readonly hooks: ConnectionHooks,
    expectedKey?: string,
  ) {
    this.reason = `connection to ${addr} closed`;
    this.decoder = new FrameDecoder(limits.maxFrameBytes + TAG_BYTES);
    this.socket = net.connect({ host, port });
    this.socket.setNoDelay(true);
    this.connectTimer = setTimeout(() => {
      this.reason = `could not connect to ${addr} within ${limits.connectTimeoutMs} ms`;
      this.socket.destroy();
    }, limits.connectTimeoutMs);
    this.socket.once("connect", () => {
      this.clearConnectTimer();
      // Half the peer's idle timeout, so that we close first rather than lose a request to its close.
      this.socket.setTimeout(Math.max(1, Math.floor(limits.idleTimeoutMs / 2)));
      initiate(this.socket, addr, expectedKey, hooks.handshake(), (result) => {
        if (!result.ok) {
          hooks.onHandshakeFailure();
          this.shutdown(new TransportError("unreachable", `handshake with ${addr} failed: ${result.reason}`));
          return;
        }
        this.ready(result.link);
      });
    });
    this.socket.on("timeout", () => {
      if (this.pending.size === 0) this.shutdown(new TransportError("unreachable", `${addr} idle`));
    });
    this.socket.on("error", (error: NodeJS.ErrnoException) => {
      this.reason = `cannot reach ${addr} (${error.code ?? error.message})`;
    });
    this.socket.on("close", () => this.shutdown(new TransportError("unreachable", this.reason)));
  }

  /** The key the node at this address proved, once the handshake completed. */
  get peerKey(): string | null {
    return this.link?.peer.key ?? null;
  }

  request(request: Queued, options: RequestOptions): Promise<WireMessage> {
    const { id } = request;
    return new Promise<WireMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(
          id,
          new TransportError("timeout", `no answer from ${this.addr} within ${options.timeoutMs} ms`),
        );
      }, options.timeoutMs);
      const pending: PendingRequest = { resolve, reject, timer, signal: options.signal, onAbort: null };
      if (options.signal) {
        pending.onAbort = () => this.settle(id, new TransportError("aborted", "request aborted"));
        options.signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.pending.set(id, pending);
      if (this.link) this.send(request);
      else this.queued.push(request);
    });
  }

  /** Fails every pending request with `error` and drops the connection. Safe to call twice. */
  shutdown(error: TransportError): void {
    if (this.gone) return;
    this.gone = true;
    this.clearConnectTimer();
    this.hooks.onGone(this);
    this.socket.destroy();
    this.queued = [];
    for (const id of [...this.pending.keys()]) this.settle(id, error);
  }

  private ready(link: Link): void {
    this.link = link;
    this.socket.on("data", (chunk: Buffer) => this.receive(chunk));
    const queued = this.queued;
    this.queued = [];
    for (const request of queued) this.send(request);
    if (link.rest.length > 0) this.receive(link.rest);
  }

  private send(request: Queued): void {
    const link = this.link as Link;
    if (request.key && request.key !== link.peer.key) {
      this.settle(
        request.id,
        new TransportError("wrong_key", `${this.addr} holds another key than expected`),
      );
      return;
    }
    if (!this.pending.has(request.id)) return; // timed out or aborted while queued
    writeBatched(this.socket, link.send.seal(request.payload));
  }

  private receive(chunk: Buffer): void {
    const result = this.decoder.push(chunk);
    if (!result.ok) {
      this.shutdown(new TransportError("unreachable", `${this.addr} sent a bad frame: ${result.error}`));
      return;
    }
    for (const sealed of result.frames) {
      const frame = (this.link as Link).receive.open(sealed);
      const answer = frame && parseFrame(frame);
      const valid = answer && (isObject(answer.r) || typeof answer.e === "string");
      if (!valid) {
        this.shutdown(new TransportError("unreachable", `${this.addr} sent a malformed answer`));
        return;
      }
      if (typeof answer.e === "string") this.settle(answer.i, new TransportError("remote", answer.e));
      else this.settle(answer.i, null, answer.r as WireMessage);
    }
  }

  private settle(id: number, error: TransportError | null, answer?: WireMessage): void {
    const pending = this.pending.get(id);
    if (!pending) return; // a late answer to a request that already timed out
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener("abort", pending.onAbort);
    if (error) pending.reject(error);
    else pending.resolve(answer as WireMessage);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }
}

/** Frames written in the same tick leave together, in one system call (writev). */
function writeBatched(socket: net.Socket, frame: Buffer): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  socket.write(frame);
}

function uncork(socket: net.Socket): void {
  socket.uncork();
}
