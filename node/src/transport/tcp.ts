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
import type { RefusalCause, RefusalSink } from "../metrics";
import { TAG_BYTES } from "./frame-cipher";
import { type HandshakeSettings, type Link, respond } from "./handshake";
import { type Limits, PeerConnection, writeBatched } from "./peer-connection";
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
  /** Told of every connection, handshake, frame and request refused (metrics.ts, Refusals). */
  onRefusal?: RefusalSink;
}

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_INBOUND = 4_096;
const DEFAULT_MAX_INBOUND_PER_IP = 32;
const DEFAULT_PARTIAL_FRAME_BUDGET = 64 * 1024 * 1024;
/** Requests one inbound connection may have in progress; more are refused, not queued. */
const MAX_IN_FLIGHT = 1024;

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
        onHandshakeFailure: () => this.handshakeFailed(addr),
      },
      key,
    );
    this.outbound.set(addr, connection);
    return connection;
  }

  /** Counts a failed handshake with peer (an address dialled, or an inbound source IP). */
  private handshakeFailed(peer: string): void {
    this.handshakeFailures++;
    this.options.onRefusal?.("handshake", peer);
  }

  private accept(socket: net.Socket, handler: RequestHandler): void {
    const release = this.closed ? null : this.caps.admit(socket.remoteAddress);
    if (!release) {
      if (!this.closed) this.options.onRefusal?.("connection_cap", socket.remoteAddress ?? "?");
      return void socket.destroy();
    }
    this.inbound.add(socket);
    socket.once("close", release);
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleTimeoutMs);
    socket.on("error", () => {}); // "close" follows; a peer's reset is not our failure
    socket.on("close", () => this.inbound.delete(socket));
    respond(socket, this.handshakeSettings(), (result) => {
      if (!result.ok) this.handshakeFailed(socket.remoteAddress ?? "?");
      if (!result.ok || this.closed) return void socket.destroy();
      this.serveLink(socket, result.link, handler);
    });
  }

  private serveLink(socket: net.Socket, link: Link, handler: RequestHandler): void {
    const peer: PeerIdentity = link.peer;
    const decoder = new FrameDecoder(this.limits.maxFrameBytes + TAG_BYTES);
    let inFlight = 0;
    let partialSince = 0;
    const refused = (cause: RefusalCause) =>
      this.options.onRefusal?.(cause, peer.addr ?? `${socket.remoteAddress} (key ${peer.key})`);
    const drop = (cause: RefusalCause) => {
      refused(cause);
      socket.destroy();
    };
    const answer = (id: number, json: string) => {
      if (socket.destroyed) return;
      let payload = Buffer.from(json);
      if (payload.length > this.limits.maxFrameBytes) {
        const reason = `answer of ${payload.length} bytes exceeds the ${this.limits.maxFrameBytes}-byte frame limit`;
        payload = Buffer.from(errorJson(id, reason));
      }
      writeBatched(socket, link.send.seal(payload));
      // A peer that sends requests but never reads the answers would make us buffer without end.
      if (socket.writableLength > this.limits.maxUnreadBytes) drop("unread_answers");
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
      if (!result.ok || this.partialBytes > budget) return drop(result.ok ? "frame_budget" : "bad_frame");
      // A peer trickling one frame byte by byte never goes idle; it gets idleTimeoutMs per frame.
      if (decoder.buffered === 0) partialSince = 0;
      else if (partialSince === 0 || result.frames.length > 0) partialSince = Date.now();
      else if (Date.now() - partialSince > this.limits.idleTimeoutMs) return drop("stalled_frame");
      for (const sealed of result.frames) {
        const frame = link.receive.open(sealed);
        const request = frame && parseFrame(frame);
        if (!request || !isObject(request.q)) return drop("bad_frame");
        if (inFlight < MAX_IN_FLIGHT) void serve(request.i, request.q as WireMessage);
        else {
          refused("in_flight");
          answer(request.i, errorJson(request.i, "too many requests in flight"));
        }
      }
    };
    socket.on("data", receive);
    socket.on("timeout", () => {
      if (inFlight === 0) socket.destroy();
    });
    if (link.rest.length > 0) receive(link.rest);
  }
}
