import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('lets a burst of `limit` through, then refuses with the time until the next token', () => {
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000 });
    expect([0, 1, 2].map(() => limiter.take('10.0.0.1', 1000).allowed)).toEqual([true, true, true]);
    // One token refills every 60 000 / 3 = 20 000 ms.
    expect(limiter.take('10.0.0.1', 1000)).toEqual({ allowed: false, retryAfterMs: 20_000, firstRefusal: true });
    expect(limiter.take('10.0.0.1', 6000)).toEqual({ allowed: false, retryAfterMs: 15_000, firstRefusal: false });
    expect(limiter.take('10.0.0.1', 21_000)).toEqual({ allowed: true });
    expect(limiter.take('10.0.0.1', 21_000)).toMatchObject({ allowed: false, firstRefusal: true });
  });

  it('keeps keys apart', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1000 });
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  it('check() answers without taking a token', () => {
    const limiter = new RateLimiter({ limit: 1, windowMs: 1000 });
    expect(limiter.check('a', 0)).toEqual({ allowed: true });
    expect(limiter.check('a', 0)).toEqual({ allowed: true });
    limiter.take('a', 0);
    expect(limiter.check('a', 0)).toEqual({ allowed: false, retryAfterMs: 1000, firstRefusal: true });
  });

  it('never refuses with limit 0', () => {
    const limiter = new RateLimiter({ limit: 0, windowMs: 1000 });
    for (let i = 0; i < 1000; i++) expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it('forgets refilled keys every window and holds at most maxKeys', () => {
    const limiter = new RateLimiter({ limit: 2, windowMs: 1000, maxKeys: 3 });
    ['a', 'b', 'c', 'd'].forEach((key) => limiter.take(key, 0));
    expect(limiter.size).toBe(3);
    limiter.take('e', 5000);
    expect(limiter.size).toBe(1);
  });

  it('refuses a bad configuration', () => {
    expect(() => new RateLimiter({ limit: -1, windowMs: 1000 })).toThrow('limit must be an integer ≥ 0, got -1');
    expect(() => new RateLimiter({ limit: 1, windowMs: 0 })).toThrow('windowMs must be > 0, got 0');
  });
});
