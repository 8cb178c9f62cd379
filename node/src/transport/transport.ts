/**
 * The one interface Chord and the store use to talk to other nodes. Implementations: tcp.ts
 * (real sockets, every connection authenticated and encrypted) and memory.ts (tests and the
 * simulator). Messages are plain JSON objects with a string tag `t`; both implementations copy
 * them through JSON so they behave alike, and both tell the handler who sent each request.
 */
import type { RingId } from "@wisp/lib";

export type WireMessage = { t: string; [field: string]: unknown };

/**
 * The sender of a request, as its link proved it: the Ed25519 key it holds, its ring id (bound
 * to that key and the IP it connected from), and the address it says it listens at — its IP
 * checked against the connection's, its port only its word until someone connects to it.
 * `addr` is null for a peer that does not listen (a client of the node port, or a liar).
 */
export interface PeerIdentity {
  /** b64u of the peer's Ed25519 public key. */
  key: string;
  id: RingId;
  addr: string | null;
}

export type RequestHandler = (request: WireMessage, peer: PeerIdentity) => Promise<WireMessage>;

export interface RequestOptions {
  /** Deadline of this request; it fails with code "timeout" after it. */
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * The key (b64u) the caller expects at `to`, from a ref: the request fails with "unreachable"
   * unless the node there proves it holds this key.
   */
  key?: string;
  /**
   * With `key`: the request may also go over a link that node opened to us, whose handshake proved
   * `key` and named `to` as the address it listens at. That port is then only its word: for
   * requests that need the key's holder, never for ones that check a node listens where it says.
   */
  anyLink?: boolean;
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
  | "wrong_key" // the node at that address holds another key than the one expected
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
