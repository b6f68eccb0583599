import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PLAN } from '../__fixtures__/plans';
import { useTempDir } from '../__fixtures__/temp-dir';
import { CoordinatorStore } from './coordinator-store';

describe('CoordinatorStore', () => {
  const dir = useTempDir();

  it('writes across repositories all or nothing', () => {
    const store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite') });
    store.sites.register({ name: 'A', id: 'a' });

    expect(() =>
      store.transaction(() => {
        store.sites.revoke('a');
        store.audit.append({ actor: 'admin', action: 'site.revoked', subject: 'a' });
        throw new Error('crash before commit');
      }),
    ).toThrow('crash before commit');

    expect(store.sites.get('a').revokedAt).toBeNull();
    expect(store.audit.list()).toEqual([]);
    store.close();
  });

  it('is durable: a second connection and a reopened file see every commit', () => {
    const path = join(dir.path, 'c.sqlite');
    const writer = CoordinatorStore.open({ path });
    const reader = CoordinatorStore.open({ path });
    writer.runs.create({ id: 'r', plan: PLAN });
    writer.transaction(() => {
      writer.runs.start('r');
      writer.audit.append({ actor: 'admin', action: 'run.started', subject: 'r' });
    });

    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(reader.runs.get('r').status).toBe('running');
    writer.close();
    reader.close();
    writer.close(); // closing twice is harmless

    const reopened = CoordinatorStore.open({ path });
    expect(reopened.runs.get('r').status).toBe('running');
    expect(reopened.audit.list({ subject: 'r' })).toHaveLength(1);
    reopened.close();
  });
});
