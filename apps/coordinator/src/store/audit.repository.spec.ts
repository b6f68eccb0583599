import { useTempStore } from '../__fixtures__/temp-store';

describe('AuditRepository', () => {
  const db = useTempStore();
  const { clock } = db;

  it('appends entries with details and lists them in order', () => {
    const first = db.store.audit.append({ actor: 'admin', action: 'site.registered', subject: 'a', details: { name: 'A' } });
    clock.advance(1);
    db.store.audit.append({ actor: 'site:a', action: 'update.rejected', subject: 'run-1', details: { code: 'NON_FINITE' } });
    db.store.audit.append({ actor: 'coordinator', action: 'round.failed', subject: 'run-1' });

    expect(first).toEqual({ id: 1, at: clock.now() - 1, actor: 'admin', action: 'site.registered', subject: 'a', details: { name: 'A' } });
    expect(db.store.audit.list().map((e) => e.action)).toEqual(['site.registered', 'update.rejected', 'round.failed']);
    expect(db.store.audit.list({ subject: 'run-1' }).map((e) => e.id)).toEqual([2, 3]);
    expect(db.store.audit.list({ action: 'round.failed' })).toMatchObject([{ subject: 'run-1', details: null }]);
    expect(db.store.audit.list({ afterId: 1, limit: 1 }).map((e) => e.id)).toEqual([2]);
  });
});
