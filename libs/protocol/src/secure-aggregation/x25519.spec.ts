import { pairwiseMaskSeed, shareEncryptionKey } from './key-derivation';
import { generateX25519KeyPair, x25519PublicKey, x25519SharedSecret } from './x25519';

describe('X25519 key agreement and HKDF seeds', () => {
  const a = generateX25519KeyPair();
  const b = generateX25519KeyPair();
  const c = generateX25519KeyPair();
  const context = { runId: 'run-1', round: 3 };

  it('gives both sides the same secret, and a different one for another pair', () => {
    const ab = x25519SharedSecret(a.privateKey, b.publicKey);
    expect(ab).toHaveLength(32);
    expect(x25519SharedSecret(b.privateKey, a.publicKey)).toEqual(ab);
    expect(x25519SharedSecret(a.privateKey, c.publicKey)).not.toEqual(ab);
  });

  it('matches the RFC 7748 §6.1 test vector', () => {
    const alicePrivate = Buffer.from('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', 'hex');
    const alicePublic = Buffer.from('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a', 'hex');
    const bobPublic = Buffer.from('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f', 'hex');
    expect(Buffer.from(x25519PublicKey(alicePrivate)).toString('hex')).toBe(alicePublic.toString('hex'));
    expect(Buffer.from(x25519SharedSecret(alicePrivate, bobPublic)).toString('hex')).toBe(
      '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742',
    );
  });

  it('derives the public key from the private key', () => {
    expect(x25519PublicKey(a.privateKey)).toEqual(a.publicKey);
  });

  it('refuses wrong key sizes and low-order points', () => {
    expect(() => x25519SharedSecret(a.privateKey, new Uint8Array(31))).toThrow('an X25519 public key is 32 bytes, got 31');
    expect(() => x25519SharedSecret(a.privateKey, new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('binds seeds to run, round, pair and purpose', () => {
    const secret = x25519SharedSecret(a.privateKey, b.publicKey);
    const seed = pairwiseMaskSeed(secret, context, 'site-a', 'site-b');
    expect(seed).toHaveLength(32);
    expect(pairwiseMaskSeed(secret, context, 'site-a', 'site-b')).toEqual(seed);
    const others = [
      pairwiseMaskSeed(secret, { ...context, round: 4 }, 'site-a', 'site-b'),
      pairwiseMaskSeed(secret, { ...context, runId: 'run-2' }, 'site-a', 'site-b'),
      pairwiseMaskSeed(secret, context, 'site-b', 'site-a'),
      shareEncryptionKey(secret, context, 'site-a', 'site-b'),
      shareEncryptionKey(secret, context, 'site-b', 'site-a'),
    ];
    const distinct = new Set([seed, ...others].map((s) => Buffer.from(s).toString('hex')));
    expect(distinct.size).toBe(6);
  });
});
