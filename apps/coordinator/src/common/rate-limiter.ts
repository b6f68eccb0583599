/** The answer to one attempt: allowed, or refused with when to try again. */
export type RateVerdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** How long until one more attempt would be allowed. */
      readonly retryAfterMs: number;
      /** True for the first refusal since this key was last allowed: audit bursts once, not every attempt. */
      readonly firstRefusal: boolean;
    };

interface Bucket {
  tokens: number;
  updatedAt: number;
  refusing: boolean;
}

/**
 * At most `limit` attempts per key (a client IP) in any `windowMs`, as a token bucket: a key
 * starts with `limit` tokens, each attempt takes one, and they refill continuously at
 * limit / windowMs. So a burst of `limit` passes at once (every site reconnecting after a
 * coordinator restart) and a flood is held to the steady rate. `limit` 0 means no limit.
 *
 * Memory is bounded: buckets that have refilled are dropped every window, and past
 * `maxKeys` the oldest bucket goes first (a flood of spoofed addresses cannot grow the map).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxKeys: number;
  private lastSweep = 0;

  constructor(
    readonly options: { readonly limit: number; readonly windowMs: number; readonly maxKeys?: number },
  ) {
    if (!Number.isInteger(options.limit) || options.limit < 0) throw new RangeError(`limit must be an integer ≥ 0, got ${options.limit}`);
    if (!(options.windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${options.windowMs}`);
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /** Takes one attempt for `key`. */
  take(key: string, now: number = Date.now()): RateVerdict {
    return this.decide(key, now, true);
  }

  /** Whether an attempt would be allowed now, without taking it (e.g. block before a costly check). */
  check(key: string, now: number = Date.now()): RateVerdict {
    return this.decide(key, now, false);
  }

  /** Keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private decide(key: string, now: number, consume: boolean): RateVerdict {
    const { limit, windowMs } = this.options;
    if (limit === 0) return { allowed: true };
    this.sweep(now);
    const bucket = this.refilled(key, now);
    if (bucket.tokens >= 1) {
      if (consume) bucket.tokens -= 1;
      bucket.refusing = false;
      return { allowed: true };
    }
    const firstRefusal = !bucket.refusing;
    bucket.refusing = true;
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * windowMs) / limit), firstRefusal };
  }

  private refilled(key: string, now: number): Bucket {
    const { limit, windowMs } = this.options;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: limit, updatedAt: now, refusing: false };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(limit, bucket.tokens + (elapsed * limit) / windowMs);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Drops buckets that are full again: they would start over exactly the same. */
  private sweep(now: number): void {
    const { limit, windowMs } = this.options;
    if (now - this.lastSweep < windowMs) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) * limit) / windowMs >= limit) this.buckets.delete(key);
    }
  }
}
