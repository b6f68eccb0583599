/**
 * Deterministic randomness for site selection and per-site seeds: the same run seed and
 * round always select the same sites, so a restarted coordinator (or a test) can replay a
 * round exactly. Not for secrets (tokens use node:crypto).
 */

/** 32-bit avalanche mix (the finaliser of MurmurHash3): nearby inputs map far apart. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, mixed: a stable uint32 for a string such as a site id. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** A uint32 seed derived from several parts; order matters, so (1, 2) ≠ (2, 1). */
export function deriveSeed(...parts: ReadonlyArray<number | string>): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    const value = typeof part === 'string' ? hashString(part) : part >>> 0;
    h = mix32((h ^ value) + 0x9e3779b9 + ((h << 6) >>> 0) + (h >>> 2));
  }
  return h;
}

/**
 * A stream of uniform numbers in [0, 1) from a uint32 seed (a Weyl sequence passed through
 * mix32). Returned as a closure so no generator state lives at module level.
 */
export function uniformStream(seed: number): () => number {
  let counter = seed >>> 0;
  return () => {
    counter = (counter + 0x6d2b79f5) >>> 0;
    return mix32(counter) / 4294967296;
  };
}

/** A Fisher–Yates shuffled copy, deterministic for a given seed. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const next = uniformStream(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const held = out[i]!;
    out[i] = out[j]!;
    out[j] = held;
  }
  return out;
}
