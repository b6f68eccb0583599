import { useTempStore } from '../__fixtures__/temp-store';

describe('PrivacyRepository', () => {
  const temp = useTempStore();

  function seed(): void {
    const { store } = temp;
    for (const id of ['a', 'b']) store.db.prepare('INSERT INTO sites (id, name, token_hash, created_at) VALUES (?, ?, ?, 1)').run(id, `Site ${id}`, 'x');
    store.db.prepare("INSERT INTO runs (id, status, plan, options, created_at) VALUES ('r1', 'running', '{}', '{}', 1)").run();
  }

  it('keeps every report and summarises each site by its latest (largest) ε, and the run by the largest', () => {
    seed();
    const { privacy } = temp.store;
    expect(privacy.summary('r1')).toEqual({ sites: [], maxEpsilon: null, delta: null });
    privacy.record({ runId: 'r1', round: 0, attempt: 1, siteId: 'a', epsilon: 0.4, delta: 1e-5, steps: 10, receivedAt: 5 });
    privacy.record({ runId: 'r1', round: 0, attempt: 1, siteId: 'b', epsilon: 0.6, delta: 1e-5, steps: 12 });
    privacy.record({ runId: 'r1', round: 1, attempt: 1, siteId: 'a', epsilon: 0.9, delta: 1e-5, steps: 20 });
    expect(privacy.list('r1').map((r) => [r.round, r.siteId, r.epsilon])).toEqual([
      [0, 'a', 0.4],
      [0, 'b', 0.6],
      [1, 'a', 0.9],
    ]);
    expect(privacy.list('r1')[0]!.receivedAt).toBe(5);
    expect(privacy.summary('r1')).toEqual({
      sites: [
        { siteId: 'a', epsilon: 0.9, delta: 1e-5, steps: 20, round: 1 },
        { siteId: 'b', epsilon: 0.6, delta: 1e-5, steps: 12, round: 0 },
      ],
      maxEpsilon: 0.9,
      delta: 1e-5,
    });
  });

  it('refuses a negative ε or a δ outside (0, 1) at the database', () => {
    seed();
    const { privacy } = temp.store;
    expect(() => privacy.record({ runId: 'r1', round: 0, attempt: 1, siteId: 'a', epsilon: -1, delta: 1e-5, steps: 0 })).toThrow(/CHECK constraint/);
    expect(() => privacy.record({ runId: 'r1', round: 0, attempt: 1, siteId: 'a', epsilon: 1, delta: 1, steps: 0 })).toThrow(/CHECK constraint/);
  });
});
