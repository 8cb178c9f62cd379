/**
 * Our outbound connection to one peer (tcp.ts opens it): the Noise handshake as initiator, then our
 * requests to that peer, pipelined, their answers matched by request id.
 */
import net from "node:net";
import { FrameDecoder } from "@wisp/lib";
import { TAG_BYTES } from "./frame-cipher";
import { type HandshakeSettings, initiate, type Link } from "./handshake";
import { isObject, parseFrame } from "./tcp-wire";
import { type RequestOptions, TransportError, type WireMessage } from "./transport";

export interface Limits {
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

export interface ConnectionHooks {
  handshake: () => HandshakeSettings;
  onGone: (connection: PeerConnection) => void;
  onHandshakeFailure: () => void;
}

/**
 * Our connection to one peer, carrying our requests to it; answers are matched by request id.
 * Requests made before the handshake completes wait for it, each with the key it expects there.
 */
export class PeerConnection {
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
export function writeBatched(socket: net.Socket, frame: Buffer): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(uncork, socket);
  }
  socket.write(frame);
}

function uncork(socket: net.Socket): void {
  socket.uncork();
}
