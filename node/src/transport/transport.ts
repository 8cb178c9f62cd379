/**
 * The one interface Chord and the store use to talk to other nodes. Implementations: tcp.ts
 * (real sockets) and memory.ts (tests and the simulator). Messages are plain JSON objects with a
 * string tag `t`; both implementations copy them through JSON so they behave alike.
 */
export type WireMessage = { t: string; [field: string]: unknown };

export type RequestHandler = (request: WireMessage) => Promise<WireMessage>;

export interface RequestOptions {
  /** Deadline of this request; it fails with code "timeout" after it. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface Transport {
  /** Starts accepting requests; resolves to the address peers reach this node at ("host:port"). */
  listen(handler: RequestHandler): Promise<string>;
  request(to: string, message: WireMessage, options: RequestOptions): Promise<WireMessage>;
  /** Stops listening and fails every pending request with code "closed". Safe to call twice. */
  close(): Promise<void>;
}

export type TransportErrorCode =
  | "timeout" // no answer before the deadline
  | "unreachable" // nobody listens at that address, or the connection broke
  | "closed" // this transport was closed
  | "aborted" // the caller's signal fired
  | "too_large" // the message exceeds the frame limit
  | "remote"; // the peer's handler failed; message carries its reason

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "TransportError";
  }
}

/** Largest frame a node accepts or sends: an envelope plus headroom for batched entries. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;
