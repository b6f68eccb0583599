import { generateSiteToken, hashSiteToken, verifySiteToken } from './site-token';

describe('site tokens', () => {
  it('generates distinct 256-bit base64url tokens', () => {
    const tokens = new Set(Array.from({ length: 50 }, generateSiteToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
  });

  it("never starts a token with '-', which a command line would take for an option", () => {
    // 0xF8 encodes to '-' as the first base64url character.
    const draws = [Buffer.alloc(32, 0xf8), Buffer.alloc(32, 0xfb), Buffer.alloc(32, 0x01)];
    const token = generateSiteToken(() => draws.shift()!);
    expect(draws).toHaveLength(0);
    expect(token).toBe(Buffer.alloc(32, 0x01).toString('base64url'));
    expect(Buffer.alloc(32, 0xf8).toString('base64url').startsWith('-')).toBe(true);
  });

  it('stores a salted hash that verifies the token and nothing else', () => {
    const token = generateSiteToken();

    const stored = hashSiteToken(token);

    expect(stored).toMatch(/^sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(token);
    expect(verifySiteToken(token, stored)).toBe(true);
    expect(verifySiteToken(generateSiteToken(), stored)).toBe(false);
    expect(verifySiteToken(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), stored)).toBe(false);
  });

  it('salts per hash: the same token hashes differently twice', () => {
    const token = generateSiteToken();
    expect(hashSiteToken(token)).not.toBe(hashSiteToken(token));
    const salt = Buffer.alloc(16, 7);
    expect(hashSiteToken(token, salt)).toBe(hashSiteToken(token, salt));
  });

  it('refuses malformed tokens and stored hashes without throwing', () => {
    const token = generateSiteToken();
    const stored = hashSiteToken(token);
    expect(verifySiteToken('', stored)).toBe(false);
    expect(verifySiteToken(token, 'scrypt$abc$def')).toBe(false);
    expect(verifySiteToken(token, 'sha256$short$short')).toBe(false);
    expect(verifySiteToken(token, '')).toBe(false);
    // A non-token string that happens to be hashed is still refused by its format.
    const odd = 'not a token';
    expect(verifySiteToken(odd, hashSiteToken(odd))).toBe(false);
  });
});
