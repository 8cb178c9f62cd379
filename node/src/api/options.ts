/** Limits and timeouts of the HTTP API; every one an option, with the defaults of issue 4. */
import { MAX_ENVELOPE_BYTES } from "@wisp/lib";
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from "./rate-limit";

export interface ApiOptions {
  /** Largest POST /v1/store body; longer bodies are cut off with 413. */
  maxStoreBytes: number;
  /** Largest POST /v1/retrieve body (256 acks fit in about 7 KB). */
  maxRetrieveBytes: number;
  /** Deepest JSON nesting accepted in a body (envelopes are depth 1, retrieves depth 2). */
  maxJsonDepth: number;
  rateLimit: RateLimitOptions;
  /** Folder served on the same port (the built web app); null serves nothing but the API. */
  webRoot: string | null;
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  maxStoreBytes: MAX_ENVELOPE_BYTES,
  maxRetrieveBytes: 32_768,
  maxJsonDepth: 8,
  rateLimit: DEFAULT_RATE_LIMIT,
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
