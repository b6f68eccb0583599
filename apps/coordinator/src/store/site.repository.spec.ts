import { join } from 'node:path';
import { manualClock, useTempDir } from '../__fixtures__/temp-dir';
import { CoordinatorStore } from './coordinator-store';

describe('SiteRepository', () => {
  const dir = useTempDir();
  const clock = manualClock();
  let store: CoordinatorStore;
  beforeEach(() => {
    store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite'), now: clock.now });
  });
  afterEach(() => store.close());

  it('registers a site and returns its token once, storing only a hash', () => {
    const { site, token } = store.sites.register({ name: ' Hospital A ', id: 'hospital-a' });

    expect(site).toEqual({
      id: 'hospital-a',
      name: 'Hospital A',
      createdAt: clock.now(),
      revokedAt: null,
      lastSeenAt: null,
      protocolVersion: null,
      recordCount: null,
    });
    const stored = store.db.prepare('SELECT token_hash FROM sites WHERE id = ?').get('hospital-a') as { token_hash: string };
    expect(stored.token_hash).toMatch(/^sha256\$/);
    expect(stored.token_hash).not.toContain(token);
    expect(store.sites.authenticate('hospital-a', token)).toEqual({ ok: true, site });
  });

  it('generates an id when none is given', () => {
    expect(store.sites.register({ name: 'B' }).site.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('tells why authentication failed', () => {
    const { token } = store.sites.register({ name: 'A', id: 'a' });
    const other = store.sites.register({ name: 'B', id: 'b' }).token;

    expect(store.sites.authenticate('a', other)).toEqual({ ok: false, reason: 'bad-token' });
    expect(store.sites.authenticate('nobody', token)).toEqual({ ok: false, reason: 'unknown-site' });
    expect(store.sites.authenticate('a', '')).toEqual({ ok: false, reason: 'bad-token' });
  });

  it('revokes a site for good, and refuses a token rotation for it', () => {
    const { token } = store.sites.register({ name: 'A', id: 'a' });
    clock.advance(1000);

    const revoked = store.sites.revoke('a');

    expect(revoked.revokedAt).toBe(clock.now());
    expect(store.sites.authenticate('a', token)).toEqual({ ok: false, reason: 'revoked' });
    expect(store.sites.list()).toEqual([]);
    expect(store.sites.list({ includeRevoked: true }).map((s) => s.id)).toEqual(['a']);
    expect(() => store.sites.rotateToken('a')).toThrow('site "A" is revoked; re-provision it with reissueToken');
    clock.advance(1000);
    expect(store.sites.revoke('a').revokedAt).toBe(revoked.revokedAt); // idempotent
  });

  it('rotates a token: the old one stops working', () => {
    const { token } = store.sites.register({ name: 'A', id: 'a' });

    const fresh = store.sites.rotateToken('a');

    expect(store.sites.authenticate('a', token)).toMatchObject({ ok: false, reason: 'bad-token' });
    expect(store.sites.authenticate('a', fresh)).toMatchObject({ ok: true });
  });

  it('reissues a token for a revoked site: the revocation is lifted, the old token stays refused', () => {
    const { token } = store.sites.register({ name: 'A', id: 'a' });
    store.sites.revoke('a');

    const { site, token: fresh } = store.sites.reissueToken('a');

    expect(site.revokedAt).toBeNull();
    expect(fresh).not.toBe(token);
    expect(store.sites.authenticate('a', fresh)).toMatchObject({ ok: true, site: { id: 'a' } });
    expect(store.sites.authenticate('a', token)).toEqual({ ok: false, reason: 'bad-token' });
    expect(() => store.sites.reissueToken('zzz')).toThrow('no site with id "zzz"');
  });

  it('resolves a site by id or name, and refuses an unknown or ambiguous reference', () => {
    store.sites.register({ name: 'Hospital A', id: 'hospital-a' });
    store.sites.register({ name: 'hospital-a2', id: 'b' });
    store.sites.register({ name: 'b', id: 'c' });

    expect(store.sites.resolve('hospital-a').name).toBe('Hospital A');
    expect(store.sites.resolve('Hospital A').id).toBe('hospital-a');
    expect(store.sites.resolve('hospital-a2').id).toBe('b');
    expect(() => store.sites.resolve('nowhere')).toThrow('no site has the id or name "nowhere" (registered site ids: b, c, hospital-a)');
    expect(() => store.sites.resolve('b')).toThrow('"b" is the id of site "hospital-a2" and the name of site "c"; name the site by its id');
  });

  it('refuses taken names and ids and bad ids', () => {
    store.sites.register({ name: 'A', id: 'a' });

    expect(() => store.sites.register({ name: 'A', id: 'other' })).toThrow('a site with name "A" is already registered');
    expect(() => store.sites.register({ name: 'Other', id: 'a' })).toThrow('a site with id "a" is already registered');
    expect(() => store.sites.register({ name: 'X', id: '../etc' })).toThrow('site id "../etc" must be');
    expect(() => store.sites.register({ name: '  ' })).toThrow('site name must be 1–200 characters');
  });

  it('records when a site was seen, its protocol version and record count', () => {
    store.sites.register({ name: 'A', id: 'a' });
    clock.advance(5000);

    store.sites.recordSeen('a', { protocolVersion: 1 });
    store.sites.recordSeen('a', { recordCount: 4_000 });

    expect(store.sites.get('a')).toMatchObject({ lastSeenAt: clock.now(), protocolVersion: 1, recordCount: 4_000 });
    expect(() => store.sites.recordSeen('zzz')).toThrow('no site with id "zzz"');
  });

  it('keeps sites and tokens across a reopening of the file', () => {
    const { token } = store.sites.register({ name: 'A', id: 'a' });
    store.close();

    store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite'), now: clock.now });

    expect(store.sites.authenticate('a', token)).toMatchObject({ ok: true, site: { name: 'A' } });
  });
});
