/**
 * The Transport over TCP (docs/node-protocol.md, "Transport and framing"). Every frame carries one
 * JSON object: a request `{"i":id,"q":message}`, an answer `{"i":id,"r":message}` or a failure
 * `{"i":id,"e":"reason"}`. Outgoing connections are cached per address and pipelined; inbound
 * connections only carry requests to us and our answers. A peer that sends bytes we cannot parse
 * is disconnected, and nothing else happens.
 */
import net from "node:net";
import { FrameDecoder } from "@wisp/lib";
import {
  encodeFrameText,
  errorJson,
  formatAddr,
  isObject,
  parseAddr,
  parseFrame,
  reasonOf,
} from "./tcp-wire";
import {
  MAX_FRAME_BYTES,
  type RequestHandler,
  type RequestOptions,
  type Transport,
  TransportError,
  type WireMessage,
} from "./transport";

export interface TcpTransportOptions {
  /** Interface to listen on, and the host part of the address `listen` answers. */
  host: string;
  /** 0 picks any free port. */
  port: number;
  maxFrameBytes?: number;
  /** An inbound connection with no traffic and no request in progress for this long is closed. */
  idleTimeoutMs?: number;
  connectTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** Requests one inbound connection may have in progress; more are refused, not queued. */
const MAX_IN_FLIGHT = 1024;

interface Limits {
  maxFrameBytes: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /** Answers a peer may leave unread before it is disconnected. */
  maxUnreadBytes: number;
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

  constructor(private readonly options: TcpTransportOptions) {
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
    return formatAddr(this.options.host, port);
  }

  request(to: string, message: WireMessage, options: RequestOptions): Promise<WireMessage> {
    if (this.closed) return Promise.reject(new TransportError("closed", "transport is closed"));
    if (options.signal?.aborted) return Promise.reject(new TransportError("aborted", "request aborted"));
    const target = parseAddr(to);
    if (!target) {
      return Promise.reject(new TransportError("unreachable", `invalid address "${to.slice(0, 100)}"`));
    }
    const id = this.nextId++;
    const frame = encodeFrameText(`{"i":${id},"q":${JSON.stringify(message)}}`, this.limits.maxFrameBytes);
    if (typeof frame === "number") {
      return Promise.reject(
        new TransportError(
          "too_large",
          `message of ${frame} bytes exceeds the ${this.limits.maxFrameBytes}-byte frame limit`,
        ),
      );
    }
    return this.connectionTo(to, target).request(id, frame, options);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Open connections, for metrics and tests. */
  connectionCounts(): { inbound: number; outbound: number } {
    return { inbound: this.inbound.size, outbound: this.outbound.size };
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

  private connectionTo(addr: string, target: { host: string; port: number }): PeerConnection {
    const cached = this.outbound.get(addr);
    if (cached && !cached.gone) return cached;
    const connection = new PeerConnection(addr, target.host, target.port, this.limits, (gone) => {
      if (this.outbound.get(addr) === gone) this.outbound.delete(addr);
    });
    this.outbound.set(addr, connection);
    return connection;
  }

  private accept(socket: net.Socket, handler: RequestHandler): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.inbound.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(this.limits.idleTimeoutMs);
    const decoder = new FrameDecoder(this.limits.maxFrameBytes);
    let inFlight = 0;
    let partialSince = 0;
    const answer = (id: number, json: string) => {
      if (socket.destroyed) return;
      let frame = encodeFrameText(json, this.limits.maxFrameBytes);
      if (typeof frame === "number") {
        const reason = `answer of ${frame} bytes exceeds the ${this.limits.maxFrameBytes}-byte frame limit`;
        frame = encodeFrameText(errorJson(id, reason), this.limits.maxFrameBytes);
      }
      if (typeof frame === "number") {
        socket.destroy();
        return;
      }
      writeBatched(socket, frame);
      // A peer that sends requests but never reads the answers would make us buffer without end.
      if (socket.writableLength > this.limits.maxUnreadBytes) socket.destroy();
    };
    const serve = async (id: number, request: WireMessage) => {
      inFlight++;
      try {
        const reply = await handler(request);
        if (!isObject(reply)) answer(id, errorJson(id, "handler answered with no message"));
        else answer(id, `{"i":${id},"r":${JSON.stringify(reply)}}`);
      } catch (error) {
        answer(id, errorJson(id, reasonOf(error)));
      } finally {
        inFlight--;
      }
    };
    socket.on("data", (chunk: Buffer) => {
      const result = decoder.push(chunk);
      if (!result.ok) {
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
      for (const frame of result.frames) {
        const request = parseFrame(frame);
        if (!request || !isObject(request.q)) {
          socket.destroy();
          return;
        }
        if (inFlight >= MAX_IN_FLIGHT) answer(request.i, errorJson(request.i, "too many requests in flight"));
        else void serve(request.i, request.q as WireMessage);
      }
    });
    socket.on("timeout", () => {
      if (inFlight === 0) socket.destroy();
    });
    socket.on("error", () => {}); // "close" follows; a peer's reset is not our failure
    socket.on("close", () => this.inbound.delete(socket));
  }
}

/** Our connection to one peer, carrying our requests to it; answers are matched by request id. */
class PeerConnection {
  gone = false;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly socket: net.Socket;
  private readonly decoder: FrameDecoder;
  private connectTimer: ReturnType<typeof setTimeout> | null;
  private reason: string;

  constructor(
    private readonly addr: string,
    host: string,
    port: number,
    limits: Limits,
    private readonly onGone: (connection: PeerConnection) => void,
  ) {
    this.reason = `connection to ${addr} closed`;
    this.decoder = new FrameDecoder(limits.maxFrameBytes);
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
    });
    this.socket.on("timeout", () => {
      if (this.pending.size === 0) this.shutdown(new TransportError("unreachable", `${addr} idle`));
    });
    this.socket.on("data", (chunk: Buffer) => this.receive(chunk));
    this.socket.on("error", (error: NodeJS.ErrnoException) => {
      this.reason = `cannot reach ${addr} (${error.code ?? error.message})`;
    });
    this.socket.on("close", () => this.shutdown(new TransportError("unreachable", this.reason)));
  }

  request(id: number, frame: Buffer, options: RequestOptions): Promise<WireMessage> {
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
      writeBatched(this.socket, frame);
    });
  }

  /** Fails every pending request with `error` and drops the connection. Safe to call twice. */
  shutdown(error: TransportError): void {
    if (this.gone) return;
    this.gone = true;
    this.clearConnectTimer();
    this.onGone(this);
    this.socket.destroy();
    for (const id of [...this.pending.keys()]) this.settle(id, error);
  }

  private receive(chunk: Buffer): void {
    const result = this.decoder.push(chunk);
    if (!result.ok) {
      this.shutdown(new TransportError("unreachable", `${this.addr} sent a bad frame: ${result.error}`));
      return;
    }
    for (const frame of result.frames) {
      const answer = parseFrame(frame);
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
