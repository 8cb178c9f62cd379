/** Limits and timeouts of the HTTP API; every one an option, with the defaults of issue 4. */
import { MAX_ENVELOPE_BYTES } from "@wisp/lib";
import { DEFAULT_MAILBOX_RATE_LIMIT, DEFAULT_RATE_LIMIT, type RateLimitOptions } from "./rate-limit";

export interface ApiOptions {
  /** Largest POST /v1/store body; longer bodies are cut off with 413. */
  maxStoreBytes: number;
  /** Largest POST /v1/retrieve body (256 acks fit in about 7 KB). */
  maxRetrieveBytes: number;
  /** Deepest JSON nesting accepted in a body (envelopes are depth 1, retrieves depth 2). */
  maxJsonDepth: number;
  /** Token buckets per client IP group (loopback has none: PROTOCOL.md). */
  rateLimit: RateLimitOptions;
  /** Token buckets per mailbox, for stores to it and, apart, for its owner's signed retrieves. */
  mailboxRateLimit: RateLimitOptions;
  /** Reverse proxies whose X-Forwarded-For names the client (literal IPs; client-address.ts). */
  trustedProxies: readonly string[];
  /** Folder served on the same port (the built web app); null serves nothing but the API. */
  webRoot: string | null;
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  maxStoreBytes: MAX_ENVELOPE_BYTES,
  maxRetrieveBytes: 32_768,
  maxJsonDepth: 8,
  rateLimit: DEFAULT_RATE_LIMIT,
  mailboxRateLimit: DEFAULT_MAILBOX_RATE_LIMIT,
  trustedProxies: [],
  webRoot: null,
};

export interface HttpTimeouts {
  /** Time a client has to send its request headers. */
  headersTimeoutMs: number;
  /** Time a client has to send its whole request (headers and body). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this; above the 25 s long-poll plus margin. */
  socketTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  socketTimeoutMs: 35_000,
};
