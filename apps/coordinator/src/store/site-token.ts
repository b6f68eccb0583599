import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Site credentials. A token is 32 random bytes (256 bits) shown to the admin once; only
 * `sha256(salt ‖ token)` is stored, with a 16-byte salt per site.
 *
 * Why sha256 and not scrypt: a slow KDF protects low-entropy secrets (passwords) against
 * offline guessing; a 256-bit random token cannot be guessed however fast the hash is, so
 * scrypt would add nothing but ~50 ms of blocked CPU per connection — hundreds of sites
 * reconnecting after a coordinator restart would stall the event loop. The salt makes the
 * stored hashes of two sites (or two databases) unrelatable even for the same token.
 * Comparison is constant-time (timingSafeEqual) on fixed-length digests.
 */

const TOKEN_BYTES = 32;
const SALT_BYTES = 16;
const SCHEME = 'sha256';
/** 32 bytes in base64url, no padding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A fresh random site token (base64url, 43 characters). Show it once; store only its hash.
 * A token starting with '-' is drawn again: `fedsynth site --token -abc…` would read it as
 * an option (1 token in 64 otherwise); skipping them costs 0.02 of 256 bits.
 */
export function generateSiteToken(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const token = random(TOKEN_BYTES).toString('base64url');
    if (!token.startsWith('-')) return token;
  }
}

function digest(salt: Buffer, token: string): Buffer {
  return createHash('sha256').update(salt).update(token, 'utf8').digest();
}

/** `sha256$<salt>$<digest>` (base64url): self-describing, so the scheme can change later. */
export function hashSiteToken(token: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  return `${SCHEME}$${salt.toString('base64url')}$${digest(salt, token).toString('base64url')}`;
}

/**
 * Whether `token` matches a stored hash. The digest comparison takes the same time
 * whichever byte differs; a malformed token or hash is simply `false`.
 */
export function verifySiteToken(token: string, storedHash: string): boolean {
  const parts = storedHash.split('$');
  if (parts.length !== 3 || parts[0] !== SCHEME) return false;
  const salt = Buffer.from(parts[1]!, 'base64url');
  const expected = Buffer.from(parts[2]!, 'base64url');
  if (salt.length !== SALT_BYTES || expected.length !== 32) return false;
  // Hash even a malformed token so its rejection costs the same as a wrong one.
  const actual = digest(salt, typeof token === 'string' ? token : '');
  return timingSafeEqual(actual, expected) && typeof token === 'string' && TOKEN_PATTERN.test(token);
}
