/**
 * One authenticated link after its handshake, whichever side dialled (docs/node-protocol.md,
 * "Transport and framing"): both ends send requests over it and answer the other's. A frame is a
 * request `{"i","q"}`, which the handler serves, or an answer `{"i","r"}` / `{"i","e"}` to one of
 * ours, matched by id (each side numbers its own requests). Whatever is not one of these, or does
 * not decrypt, ends the link.
 */
import type net from "node:net";
import { FrameDecoder } from "@wisp/lib";
import type { RefusalCause } from "../metrics";
import { TAG_BYTES } from "./frame-cipher";
import type { Link } from "./handshake";
import type { PendingRequests } from "./pending";
import { errorJson, isObject, parseFrame, reasonOf } from "./tcp-wire";
import { type PeerIdentity, type RequestHandler, TransportError, type WireMessage } from "./transport";

export interface ChannelLimits {
  maxFrameBytes: number;
  /** A frame that has been arriving for longer than this ends the link. */
  idleTimeoutMs: number;
  /** Answers the peer may leave unread before the link ends. */
  maxUnreadBytes: number;
}

/** Bytes of partial frames all links hold together: one that would take more is dropped. */
export class FrameBudget {
  held = 0;

  constructor(readonly limit: number) {}
}

export interface ChannelHooks {
  /** Serves the peer's requests; null where this transport does not listen. */
  handler: () => RequestHandler | null;
  budget: FrameBudget;
  /** The link broke a rule: it is closed, and `cause` is counted as a refusal of this peer. */
  violated: (cause: RefusalCause, reason: string) => void;
  refused: (cause: RefusalCause) => void;
}

/** Requests one link may have in progress at this end; more are refused, not queued. */
const MAX_IN_FLIGHT = 1024;

export class LinkChannel {
  private readonly decoder: FrameDecoder;
  private inFlight = 0;
  /** Bytes of this link's partial frame counted in the budget. */
  private held = 0;
  private partialSince = 0;

  constructor(
    private readonly socket: net.Socket,
    private readonly link: Link,
    readonly pending: PendingRequests,
    private readonly limits: ChannelLimits,
    private readonly hooks: ChannelHooks,
  ) {
    this.decoder = new FrameDecoder(limits.maxFrameBytes + TAG_BYTES);
    socket.once("close", () => {
      hooks.budget.held -= this.held;
      this.held = 0;
    });
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    if (link.rest.length > 0) this.receive(link.rest);
  }

  get peer(): PeerIdentity {
    return this.link.peer;
  }

  /** Nothing in progress either way: the link may close without losing anything. */
  get idle(): boolean {
    return this.inFlight === 0 && this.pending.size === 0;
  }

  /** Sends request `id` (its frame payload), unless it timed out or was aborted while it waited. */
  send(id: number, payload: Buffer): void {
    if (!this.pending.has(id) || this.socket.destroyed) return;
    writeBatched(this.socket, this.link.send.seal(payload));
  }

  private receive(chunk: Buffer): void {
    const result = this.decoder.push(chunk);
    const budget = this.hooks.budget;
    // One budget for every link's partial frame: a peer holding many half-sent frames open is
    // dropped once the node as a whole would hold more than the budget.
    budget.held += this.decoder.buffered - this.held;
    this.held = this.decoder.buffered;
    if (!result.ok) return void this.hooks.violated("bad_frame", `sent a bad frame: ${result.error}`);
    if (budget.held > budget.limit)
      return void this.hooks.violated("frame_budget", "holds too many partial frames");
    // A peer trickling one frame byte by byte never goes idle; it gets idleTimeoutMs per frame.
    if (this.decoder.buffered === 0) this.partialSince = 0;
    else if (this.partialSince === 0 || result.frames.length > 0) this.partialSince = Date.now();
    else if (Date.now() - this.partialSince > this.limits.idleTimeoutMs)
      return void this.hooks.violated("stalled_frame", "stalled in the middle of a frame");
    for (const sealed of result.frames) {
      const frame = this.link.receive.open(sealed);
      const message = frame && parseFrame(frame);
      if (!message) return void this.hooks.violated("bad_frame", "sent a malformed frame");
      if (isObject(message.q)) this.admit(message.i, message.q as WireMessage);
      else if (typeof message.e === "string")
        this.pending.settle(message.i, new TransportError("remote", message.e));
      else if (isObject(message.r)) this.pending.settle(message.i, null, message.r as WireMessage);
      else return void this.hooks.violated("bad_frame", "sent a malformed frame");
      if (this.socket.destroyed) return;
    }
  }

  private admit(id: number, request: WireMessage): void {
    const handler = this.hooks.handler();
    if (!handler) return void this.answer(id, errorJson(id, "this node serves no requests"));
    if (this.inFlight < MAX_IN_FLIGHT) return void this.serve(handler, id, request);
    this.hooks.refused("in_flight");
    this.answer(id, errorJson(id, "too many requests in flight"));
  }

  private async serve(handler: RequestHandler, id: number, request: WireMessage): Promise<void> {
    this.inFlight++;
    try {
      const reply = await handler(request, this.link.peer);
      if (!isObject(reply)) this.answer(id, errorJson(id, "handler answered with no message"));
      else this.answer(id, `{"i":${id},"r":${JSON.stringify(reply)}}`);
    } catch (error) {
      this.answer(id, errorJson(id, reasonOf(error)));
    } finally {
      this.inFlight--;
    }
  }

  private answer(id: number, json: string): void {
    if (this.socket.destroyed) return;
    let payload = Buffer.from(json);
    if (payload.length > this.limits.maxFrameBytes) {
      const reason = `answer of ${payload.length} bytes exceeds the ${this.limits.maxFrameBytes}-byte frame limit`;
      payload = Buffer.from(errorJson(id, reason));
    }
    writeBatched(this.socket, this.link.send.seal(payload));
    // A peer that sends requests but never reads the answers would make us buffer without end.
    if (this.socket.writableLength > this.limits.maxUnreadBytes)
      this.hooks.violated("unread_answers", "leaves its answers unread");
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
