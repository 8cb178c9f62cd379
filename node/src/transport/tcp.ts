/**
 * The Transport over TCP (docs/node-protocol.md, "Transport and framing"). Every connection starts
 * with a Noise handshake (handshake.ts) and every frame after it is encrypted (frame-cipher.ts).
 * Every frame carries one JSON object: a request `{"i":id,"q":message}`, an answer
 * `{"i":id,"r":message}` or a failure `{"i":id,"e":"reason"}`, and both ends of a link send
 * requests (channel.ts). Connections we dial are cached per address and pipelined. A request to a
 * peer we have not dialled may go over the link that peer opened to us (RequestOptions.anyLink):
 * when that link proved the key the caller expects and named that address, the request reaches
 * the holder of that key, as a dialled one would, without a second handshake. A peer that fails
 * the handshake, or sends bytes we cannot decrypt or parse, is disconnected, and nothing else
 * happens.
 */
import net from "node:net";
import { formatNodeAddr, parseNodeAddr } from "../identity/addr";
import { ConnectionCaps } from "../identity/connection-caps";
import { DEFAULT_PUZZLE_BITS } from "../identity/node-id";
import { generateNodeKey, type NodeKey } from "../identity/node-key";
import type { RefusalCause, RefusalSink } from "../metrics";
import { FrameBudget, LinkChannel } from "./channel";
import { type HandshakeSettings, type Link, respond } from "./handshake";
import { type Limits, type OutgoingRequest, PeerConnection } from "./peer-connection";
import { PendingRequests } from "./pending";
import {
  MAX_FRAME_BYTES,
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

export class TcpTransport implements Transport {
  private readonly limits: Limits;
  private server: net.Server | null = null;
  private readonly inbound = new Set<net.Socket>();
  private readonly outbound = new Map<string, PeerConnection>();
  /** Links peers opened to us, by the address they listen at and the key they proved ("addr key"). */
  private readonly inboundLinks = new Map<string, LinkChannel>();
  private handler: RequestHandler | null = null;
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
  private readonly budget: FrameBudget;
  /** Our requests sent over links peers opened to us (metrics and tests). */
  requestsOverInbound = 0;

  constructor(private readonly options: TcpTransportOptions) {
    if (!parseNodeAddr(formatNodeAddr(options.host, 1)))
      throw new Error(`the node host must be a literal IP in canonical form, got "${options.host}"`);
    this.puzzleBits = options.puzzleBits ?? DEFAULT_PUZZLE_BITS;
    this.key = options.key ?? generateNodeKey(this.puzzleBits);
    this.caps = new ConnectionCaps({
      total: options.maxInbound ?? DEFAULT_MAX_INBOUND,
      perIp: options.maxInboundPerIp ?? DEFAULT_MAX_INBOUND_PER_IP,
    });
    this.budget = new FrameBudget(options.partialFrameBudget ?? DEFAULT_PARTIAL_FRAME_BUDGET);
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
    this.handler = handler;
    const server = net.createServer((socket) => this.accept(socket));
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
    // A connection is filed under the canonical address it was dialled at: no need to parse it again.
    const dialled = this.outbound.get(to);
    if (dialled && !dialled.gone)
      return this.framed(message, options, (request) => dialled.request(request, options));
    const target = parseNodeAddr(to);
    if (!target) {
      return Promise.reject(new TransportError("unreachable", `invalid address "${to.slice(0, 100)}"`));
    }
    return this.framed(message, options, (request) => {
      const inbound =
        options.key && options.anyLink ? this.inboundLinks.get(`${to} ${options.key}`) : undefined;
      if (inbound) return this.overInbound(inbound, to, target, request, options);
      return this.connectionTo(to, target, options.key).request(request, options);
    });
  }

  /** Sends message as request frame of a new id, unless it is over the frame limit. */
  private framed(
    message: WireMessage,
    options: RequestOptions,
    send: (request: OutgoingRequest) => Promise<WireMessage>,
  ): Promise<WireMessage> {
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
    return send({ id, payload, key: options.key });
  }

  /**
   * A request over the link `to` opened to us. When that link closes before the answer (the peer
   * closed it as idle just as we sent), the request is sent again over a connection of our own,
   * within what is left of its deadline: a peer serves nothing once it has closed a link.
   */
  private async overInbound(
    link: LinkChannel,
    to: string,
    target: { host: string; port: number },
    request: OutgoingRequest,
    options: RequestOptions,
  ): Promise<WireMessage> {
    const started = Date.now();
    this.requestsOverInbound++;
    const answer = link.pending.wait(request.id, options);
    link.send(request.id, request.payload);
    try {
      return await answer;
    } catch (error) {
      const closed = error instanceof TransportError && error.code === "unreachable" && !this.closed;
      const left = options.timeoutMs - (Date.now() - started);
      if (!closed || left <= 0 || options.signal?.aborted) throw error;
      // Ids are this transport's own, so the same frame is as new on the connection we dial.
      return this.connectionTo(to, target, options.key).request(request, { ...options, timeoutMs: left });
    }
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
      partialBytes: this.budget.held,
    };
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    const closed = new TransportError("closed", "transport closed");
    for (const connection of [...this.outbound.values()]) connection.shutdown(closed);
    this.outbound.clear();
    for (const socket of this.inbound) socket.destroy();
    this.inbound.clear();
    this.inboundLinks.clear();
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
        handler: () => this.handler,
        budget: this.budget,
        refused: (cause, peer) => this.options.onRefusal?.(cause, peer),
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

  private accept(socket: net.Socket): void {
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
      this.serveLink(socket, result.link);
    });
  }

  private serveLink(socket: net.Socket, link: Link): void {
    const { peer } = link;
    const name = peer.addr ?? `${socket.remoteAddress} (key ${peer.key})`;
    const refused = (cause: RefusalCause) => this.options.onRefusal?.(cause, name);
    const channel = new LinkChannel(socket, link, new PendingRequests(name), this.limits, {
      handler: () => this.handler,
      budget: this.budget,
      refused,
      violated: (cause) => {
        refused(cause);
        socket.destroy();
      },
    });
    socket.on("timeout", () => {
      if (channel.idle) socket.destroy();
    });
    if (socket.destroyed) return;
    const linkKey = `${peer.addr} ${peer.key}`;
    if (peer.addr !== null) this.inboundLinks.set(linkKey, channel);
    socket.once("close", () => {
      if (this.inboundLinks.get(linkKey) === channel) this.inboundLinks.delete(linkKey);
      channel.pending.failAll(new TransportError("unreachable", `the link from ${name} closed`));
    });
  }
}
