import { useTempStore } from '../__fixtures__/temp-store';

describe('SiteRepository', () => {
  const db = useTempStore();
  const { clock } = db;

  it('registers a site and returns its token once, storing only a hash', () => {
    const { site, token } = db.store.sites.register({ name: ' Hospital A ', id: 'hospital-a' });

    expect(site).toEqual({
      id: 'hospital-a',
      name: 'Hospital A',
      createdAt: clock.now(),
      revokedAt: null,
      lastSeenAt: null,
      protocolVersion: null,
      recordCount: null,
    });
    const stored = db.store.db.prepare('SELECT token_hash FROM sites WHERE id = ?').get('hospital-a') as { token_hash: string };
    expect(stored.token_hash).toMatch(/^sha256\$/);
    expect(stored.token_hash).not.toContain(token);
    expect(db.store.sites.authenticate('hospital-a', token)).toEqual({ ok: true, site });
  });

  it('generates an id when none is given', () => {
    expect(db.store.sites.register({ name: 'B' }).site.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('tells why authentication failed', () => {
    const { token } = db.store.sites.register({ name: 'A', id: 'a' });
    const other = db.store.sites.register({ name: 'B', id: 'b' }).token;

    expect(db.store.sites.authenticate('a', other)).toEqual({ ok: false, reason: 'bad-token' });
    expect(db.store.sites.authenticate('nobody', token)).toEqual({ ok: false, reason: 'unknown-site' });
    expect(db.store.sites.authenticate('a', '')).toEqual({ ok: false, reason: 'bad-token' });
  });

  it('revokes a site for good, and refuses a token rotation for it', () => {
    const { token } = db.store.sites.register({ name: 'A', id: 'a' });
    clock.advance(1000);

    const revoked = db.store.sites.revoke('a');

    expect(revoked.revokedAt).toBe(clock.now());
    expect(db.store.sites.authenticate('a', token)).toEqual({ ok: false, reason: 'revoked' });
    expect(db.store.sites.list()).toEqual([]);
    expect(db.store.sites.list({ includeRevoked: true }).map((s) => s.id)).toEqual(['a']);
    expect(() => db.store.sites.rotateToken('a')).toThrow('site "A" is revoked; re-provision it with reissueToken');
    clock.advance(1000);
    expect(db.store.sites.revoke('a').revokedAt).toBe(revoked.revokedAt); // idempotent
  });

  it('rotates a token: the old one stops working', () => {
    const { token } = db.store.sites.register({ name: 'A', id: 'a' });

    const fresh = db.store.sites.rotateToken('a');

    expect(db.store.sites.authenticate('a', token)).toMatchObject({ ok: false, reason: 'bad-token' });
    expect(db.store.sites.authenticate('a', fresh)).toMatchObject({ ok: true });
  });

  it('reissues a token for a revoked site: the revocation is lifted, the old token stays refused', () => {
    const { token } = db.store.sites.register({ name: 'A', id: 'a' });
    db.store.sites.revoke('a');

    const { site, token: fresh } = db.store.sites.reissueToken('a');

    expect(site.revokedAt).toBeNull();
    expect(fresh).not.toBe(token);
    expect(db.store.sites.authenticate('a', fresh)).toMatchObject({ ok: true, site: { id: 'a' } });
    expect(db.store.sites.authenticate('a', token)).toEqual({ ok: false, reason: 'bad-token' });
    expect(() => db.store.sites.reissueToken('zzz')).toThrow('no site with id "zzz"');
  });

  it('resolves a site by id or name, and refuses an unknown or ambiguous reference', () => {
    db.store.sites.register({ name: 'Hospital A', id: 'hospital-a' });
    db.store.sites.register({ name: 'hospital-a2', id: 'b' });
    db.store.sites.register({ name: 'b', id: 'c' });

    expect(db.store.sites.resolve('hospital-a').name).toBe('Hospital A');
    expect(db.store.sites.resolve('Hospital A').id).toBe('hospital-a');
    expect(db.store.sites.resolve('hospital-a2').id).toBe('b');
    expect(() => db.store.sites.resolve('nowhere')).toThrow('no site has the id or name "nowhere" (registered site ids: b, c, hospital-a)');
    expect(() => db.store.sites.resolve('b')).toThrow('"b" is the id of site "hospital-a2" and the name of site "c"; name the site by its id');
  });

  it('refuses taken names and ids and bad ids', () => {
    db.store.sites.register({ name: 'A', id: 'a' });

    expect(() => db.store.sites.register({ name: 'A', id: 'other' })).toThrow('a site with name "A" is already registered');
    expect(() => db.store.sites.register({ name: 'Other', id: 'a' })).toThrow('a site with id "a" is already registered');
    expect(() => db.store.sites.register({ name: 'X', id: '../etc' })).toThrow('site id "../etc" must be');
    expect(() => db.store.sites.register({ name: '  ' })).toThrow('site name must be 1–200 characters');
  });

  it('records when a site was seen, its protocol version and record count', () => {
    db.store.sites.register({ name: 'A', id: 'a' });
    clock.advance(5000);

    db.store.sites.recordSeen('a', { protocolVersion: 1 });
    db.store.sites.recordSeen('a', { recordCount: 4_000 });

    expect(db.store.sites.get('a')).toMatchObject({ lastSeenAt: clock.now(), protocolVersion: 1, recordCount: 4_000 });
    expect(() => db.store.sites.recordSeen('zzz')).toThrow('no site with id "zzz"');
  });

  it('keeps sites and tokens across a reopening of the file', () => {
    const { token } = db.store.sites.register({ name: 'A', id: 'a' });
    db.reopen();

    expect(db.store.sites.authenticate('a', token)).toMatchObject({ ok: true, site: { name: 'A' } });
  });
});
