/** Envelope and client-API types of PROTOCOL.md, with their limits. Validation lives beside them. */

/** What POST /v1/store carries. Every binary field is base64url without padding. */
export interface Envelope {
  v: 1;
  id: string;
  to: string;
  nackTo: string;
  eph: string;
  ct: string;
}

/** Told to the sender's mailbox when an envelope expired unacknowledged. `to` is the envelope's `to`. */
export interface Nack {
  id: string;
  to: string;
  expiredAt: number;
}

export interface StoredMessage extends Envelope {
  expiresAt: number;
}

export interface RetrieveRequest {
  pk: string;
  ts: number;
  ack: string[];
  wait: number;
  sig: string;
}

export interface RetrieveResponse {
  messages: StoredMessage[];
  nacks: Nack[];
  more: boolean;
}

export interface StoreResponse {
  id: string;
  expiresAt: number;
}

export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "too_large"
  | "rate_limited"
  | "mailbox_full"
  | "unavailable"
  | "internal";

export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  too_large: 413,
  rate_limited: 429,
  mailbox_full: 507,
  unavailable: 503,
  internal: 500,
};

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

export const MAX_ENVELOPE_BYTES = 65_536;
export const MAX_ACKS = 256;
export const MAX_RETRIEVE_ENTRIES = 256;
export const MAX_WAIT_MS = 25_000;
export const RETRIEVE_WINDOW_MS = 300_000;
