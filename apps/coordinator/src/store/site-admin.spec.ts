import { join } from 'node:path';
import { manualClock, useTempDir } from '../__fixtures__/temp-dir';
import { CoordinatorStore } from './coordinator-store';
import { openExistingStore, reissueSiteToken, revokeSite } from './site-admin';

describe('site admin operations', () => {
  const dir = useTempDir();
  const clock = manualClock();
  let store: CoordinatorStore;
  beforeEach(() => {
    store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite'), now: clock.now });
  });
  afterEach(() => store.close());

  it('revokes a site named by its name, audits it, and a second connection sees it at once', () => {
    const { token } = store.sites.register({ name: 'Hospital A', id: 'hospital-a' });
    // The running coordinator's own connection to the same file.
    const coordinator = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite') });
    expect(coordinator.sites.authenticate('hospital-a', token)).toMatchObject({ ok: true });
    clock.advance(1000);

    const result = revokeSite(store, 'Hospital A', 'cli');

    expect(result).toEqual({ site: expect.objectContaining({ id: 'hospital-a', revokedAt: clock.now() }), alreadyRevoked: false });
    expect(coordinator.sites.authenticate('hospital-a', token)).toEqual({ ok: false, reason: 'revoked' });
    expect(store.audit.list({ subject: 'hospital-a' })).toEqual([
      expect.objectContaining({ actor: 'admin', action: 'site.revoked', details: { via: 'cli', alreadyRevoked: false } }),
    ]);
    coordinator.close();
  });

  it('audits a repeated revocation without changing when the site was revoked', () => {
    store.sites.register({ name: 'A', id: 'a' });
    const first = revokeSite(store, 'a', 'api');
    clock.advance(1000);

    const second = revokeSite(store, 'a', 'cli');

    expect(second.alreadyRevoked).toBe(true);
    expect(second.site.revokedAt).toBe(first.site.revokedAt);
    expect(store.audit.list({ action: 'site.revoked' }).map((e) => e.details)).toEqual([
      { via: 'api', alreadyRevoked: false },
      { via: 'cli', alreadyRevoked: true },
    ]);
  });

  it('re-provisions a revoked site with a new token and audits it', () => {
    const { token } = store.sites.register({ name: 'A', id: 'a' });
    revokeSite(store, 'a', 'cli');

    const reissued = reissueSiteToken(store, 'A', 'cli');

    expect(reissued.wasRevoked).toBe(true);
    expect(reissued.site.revokedAt).toBeNull();
    expect(store.sites.authenticate('a', reissued.token)).toMatchObject({ ok: true });
    expect(store.sites.authenticate('a', token)).toEqual({ ok: false, reason: 'bad-token' });
    expect(store.audit.list({ action: 'site.token-reissued' })).toEqual([
      expect.objectContaining({ subject: 'a', details: { via: 'cli', wasRevoked: true } }),
    ]);
  });

  it('refuses an unknown site and writes nothing', () => {
    expect(() => revokeSite(store, 'ghost', 'cli')).toThrow(expect.objectContaining({ code: 'SITE_NOT_FOUND', message: expect.stringContaining('"ghost"') }));
    expect(() => reissueSiteToken(store, 'ghost', 'cli')).toThrow(expect.objectContaining({ code: 'SITE_NOT_FOUND' }));
    expect(store.audit.list()).toEqual([]);
  });

  it('opens only a database that exists', () => {
    const missing = join(dir.path, 'elsewhere', 'coordinator.sqlite');
    expect(() => openExistingStore(missing)).toThrow(expect.objectContaining({ code: 'STORE_NOT_FOUND', message: expect.stringContaining(missing) }));
    const existing = openExistingStore(join(dir.path, 'c.sqlite'));
    expect(existing.sites.list()).toEqual([]);
    existing.close();
  });
});
