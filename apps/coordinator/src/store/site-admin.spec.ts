import { dirname, join } from 'node:path';
import { useTempStore } from '../__fixtures__/temp-store';
import { CoordinatorStore } from './coordinator-store';
import { openExistingStore, reissueSiteToken, revokeSite } from './site-admin';

describe('site admin operations', () => {
  const db = useTempStore();
  const { clock } = db;

  it('revokes a site named by its name, audits it, and a second connection sees it at once', () => {
    const { token } = db.store.sites.register({ name: 'Hospital A', id: 'hospital-a' });
    // The running coordinator's own connection to the same file.
    const coordinator = CoordinatorStore.open({ path: db.path });
    expect(coordinator.sites.authenticate('hospital-a', token)).toMatchObject({ ok: true });
    clock.advance(1000);

    const result = revokeSite(db.store, 'Hospital A', 'cli');

    expect(result).toEqual({ site: expect.objectContaining({ id: 'hospital-a', revokedAt: clock.now() }), alreadyRevoked: false });
    expect(coordinator.sites.authenticate('hospital-a', token)).toEqual({ ok: false, reason: 'revoked' });
    expect(db.store.audit.list({ subject: 'hospital-a' })).toEqual([
      expect.objectContaining({ actor: 'admin', action: 'site.revoked', details: { via: 'cli', alreadyRevoked: false } }),
    ]);
    coordinator.close();
  });

  it('audits a repeated revocation without changing when the site was revoked', () => {
    db.store.sites.register({ name: 'A', id: 'a' });
    const first = revokeSite(db.store, 'a', 'api');
    clock.advance(1000);

    const second = revokeSite(db.store, 'a', 'cli');

    expect(second.alreadyRevoked).toBe(true);
    expect(second.site.revokedAt).toBe(first.site.revokedAt);
    expect(db.store.audit.list({ action: 'site.revoked' }).map((e) => e.details)).toEqual([
      { via: 'api', alreadyRevoked: false },
      { via: 'cli', alreadyRevoked: true },
    ]);
  });

  it('re-provisions a revoked site with a new token and audits it', () => {
    const { token } = db.store.sites.register({ name: 'A', id: 'a' });
    revokeSite(db.store, 'a', 'cli');

    const reissued = reissueSiteToken(db.store, 'A', 'cli');

    expect(reissued.wasRevoked).toBe(true);
    expect(reissued.site.revokedAt).toBeNull();
    expect(db.store.sites.authenticate('a', reissued.token)).toMatchObject({ ok: true });
    expect(db.store.sites.authenticate('a', token)).toEqual({ ok: false, reason: 'bad-token' });
    expect(db.store.audit.list({ action: 'site.token-reissued' })).toEqual([
      expect.objectContaining({ subject: 'a', details: { via: 'cli', wasRevoked: true } }),
    ]);
  });

  it('refuses an unknown site and writes nothing', () => {
    expect(() => revokeSite(db.store, 'ghost', 'cli')).toThrow(expect.objectContaining({ code: 'SITE_NOT_FOUND', message: expect.stringContaining('"ghost"') }));
    expect(() => reissueSiteToken(db.store, 'ghost', 'cli')).toThrow(expect.objectContaining({ code: 'SITE_NOT_FOUND' }));
    expect(db.store.audit.list()).toEqual([]);
  });

  it('opens only a database that exists', () => {
    const missing = join(dirname(db.path), 'elsewhere', 'coordinator.sqlite');
    expect(() => openExistingStore(missing)).toThrow(expect.objectContaining({ code: 'STORE_NOT_FOUND', message: expect.stringContaining(missing) }));
    const existing = openExistingStore(db.path);
    expect(existing.sites.list()).toEqual([]);
    existing.close();
  });
});
