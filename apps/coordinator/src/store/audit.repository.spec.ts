import { join } from 'node:path';
import { manualClock, useTempDir } from '../__fixtures__/temp-dir';
import { CoordinatorStore } from './coordinator-store';

describe('AuditRepository', () => {
  const dir = useTempDir();
  const clock = manualClock();
  let store: CoordinatorStore;
  beforeEach(() => {
    store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite'), now: clock.now });
  });
  afterEach(() => store.close());

  it('appends entries with details and lists them in order', () => {
    const first = store.audit.append({ actor: 'admin', action: 'site.registered', subject: 'a', details: { name: 'A' } });
    clock.advance(1);
    store.audit.append({ actor: 'site:a', action: 'update.rejected', subject: 'run-1', details: { code: 'NON_FINITE' } });
    store.audit.append({ actor: 'coordinator', action: 'round.failed', subject: 'run-1' });

    expect(first).toEqual({ id: 1, at: clock.now() - 1, actor: 'admin', action: 'site.registered', subject: 'a', details: { name: 'A' } });
    expect(store.audit.list().map((e) => e.action)).toEqual(['site.registered', 'update.rejected', 'round.failed']);
    expect(store.audit.list({ subject: 'run-1' }).map((e) => e.id)).toEqual([2, 3]);
    expect(store.audit.list({ action: 'round.failed' })).toMatchObject([{ subject: 'run-1', details: null }]);
    expect(store.audit.list({ afterId: 1, limit: 1 }).map((e) => e.id)).toEqual([2]);
  });
});
