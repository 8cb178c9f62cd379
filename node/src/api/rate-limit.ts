/** A token bucket per client address, with a bounded number of buckets (least recently seen evicted). */
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

interface Bucket {
  tokens: number;
  at: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(
    private clock: Clock,
    private options: RateLimitOptions = DEFAULT_RATE_LIMIT,
  ) {}

  take(client: string): TakeResult {
    const now = this.clock.now();
    const bucket = this.refilled(client, now);
    // Re-inserting keeps the Map in least-recently-seen order, so eviction is O(1).
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    this.evictOverflow();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 1000) / this.options.perSecond) };
  }

  size(): number {
    return this.buckets.size;
  }

  private refilled(client: string, now: number): Bucket {
    const bucket = this.buckets.get(client);
    if (!bucket) return { tokens: this.options.burst, at: now };
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
