/** A token bucket per key (a client's IP group, a mailbox), with a bounded number of buckets (least recently seen evicted). */
import type { Clock } from "../clock";

export interface RateLimitOptions {
  /** Tokens a bucket holds when full: the burst a client may send at once. */
  burst: number;
  /** Tokens added per second. */
  perSecond: number;
  /** Buckets kept at most; beyond it the least recently seen client is forgotten. */
  maxBuckets: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { burst: 60, perSecond: 20, maxBuckets: 10_000 };
/** A mailbox takes what ten clients at their own limit send it; many senders at once share this. */
export const DEFAULT_MAILBOX_RATE_LIMIT: RateLimitOptions = {
  burst: 600,
  perSecond: 200,
  maxBuckets: 10_000,
};

interface Bucket {
  tokens: number;
  at: number;
}

type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

const TAKEN: TakeResult = Object.freeze({ ok: true });

export class RateLimiter {
  private buckets = new Map<string, Bucket>();
  /** The client of the last take: already last in the Map's order, so it need not be moved. */
  private newest: string | undefined;

  constructor(
    private clock: Clock,
    private options: RateLimitOptions = DEFAULT_RATE_LIMIT,
  ) {}

  take(client: string): TakeResult {
    const now = this.clock.now();
    const found = this.buckets.get(client);
    const bucket = found ? this.refilled(found, now) : { tokens: this.options.burst, at: now };
    if (!found || client !== this.newest) {
      // Re-inserting keeps the Map in least-recently-seen order, so eviction is O(1).
      this.buckets.delete(client);
      this.buckets.set(client, bucket);
      this.newest = client;
      this.evictOverflow();
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return TAKEN;
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 1000) / this.options.perSecond) };
  }

  size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket, now: number): Bucket {
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + (elapsed * this.options.perSecond) / 1000);
    bucket.at = now;
    return bucket;
  }

  private evictOverflow(): void {
    while (this.buckets.size > this.options.maxBuckets) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) return;
      this.buckets.delete(oldest);
    }
  }
}
