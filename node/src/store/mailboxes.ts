/** What the HTTP API needs from the store: the mailboxes of the whole ring (implemented by MailboxService). */
import type { Envelope, ErrorCode, RetrieveResponse } from "@wisp/lib";
import type { AckProof } from "./proof";

export interface StoreOutcome {
  /** False when the same id was stored before: nothing changed. */
  created: boolean;
  expiresAt: number;
}

export interface RetrieveOptions {
  /** Long-poll: hold the answer until the mailbox has something or waitMs passed (0..25,000). */
  waitMs: number;
  /** Fires when the client went away. */
  signal?: AbortSignal;
}

export interface Mailboxes {
  /**
   * Routes the envelope to the owner of `to` and stores it there and on its replicas. The envelope
   * must have passed lib's validateEnvelope (the API's check): when this node owns `to` it is not
   * parsed again; an owner elsewhere parses it as any input from the network. `client` is the
   * sender's IP group (api/client-address.ts), whose share of the mailbox it counts against; null
   * (loopback) has none.
   */
  store(envelope: Envelope, client?: string | null): Promise<StoreOutcome>;
  /**
   * Deletes the `proof.ack` ids of `mailbox` on every replica, then answers oldest first (at most
   * 256). `proof` is the owner's signed retrieve, which the caller verified (the API's check);
   * every other node that acts on it verifies it again (proof.ts).
   */
  retrieve(mailbox: string, proof: AckProof, options: RetrieveOptions): Promise<RetrieveResponse>;
  /** Mailbox entries this node holds, replicas included (GET /v1/node `entries`). */
  entryCount(): number;
}

/** A failure the API turns into a PROTOCOL.md error code. */
export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}
