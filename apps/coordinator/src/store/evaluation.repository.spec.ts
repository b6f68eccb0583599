import { PLAN } from '../__fixtures__/plans';
import { useTempStore } from '../__fixtures__/temp-store';

describe('EvaluationRepository', () => {
  const db = useTempStore();
  const { clock } = db;
  beforeEach(() => {
    db.store.runs.create({ id: 'run-1', plan: PLAN });
    for (const id of ['a', 'b', 'c']) db.store.sites.register({ name: id.toUpperCase(), id });
  });

  const key = { runId: 'run-1', round: 3 };

  it('stores an evaluation, each site answer and the combined metrics', () => {
    const begun = db.store.evaluations.begin({ ...key, askedSiteIds: ['c', 'a', 'b'], deadlineAt: clock.now() + 1000 });
    expect(begun).toEqual({
      ...key,
      status: 'collecting',
      askedSiteIds: ['a', 'b', 'c'],
      startedAt: clock.now(),
      deadlineAt: clock.now() + 1000,
      completedAt: null,
      metrics: null,
      summary: null,
      error: null,
      sites: [],
    });

    db.store.evaluations.recordSite(key, { siteId: 'b', recordCount: 30, metrics: { r: 0.7 } });
    db.store.evaluations.recordSite(key, { siteId: 'a', recordCount: 10, metrics: { r: 0.5 } });
    db.store.evaluations.recordSite(key, { siteId: 'c', error: { code: 'TIMEOUT', reason: 'no result before the deadline' } });
    clock.advance(500);
    const done = db.store.evaluations.complete(key, { metrics: { r: 0.65 }, summary: { siteCount: 2, recordCount: 40, failureCount: 1 } });

    expect(done).toMatchObject({ status: 'completed', completedAt: clock.now(), metrics: { r: 0.65 }, summary: { siteCount: 2, recordCount: 40, failureCount: 1 } });
    expect(done.sites.map((s) => [s.siteId, s.recordCount, s.metrics, s.error])).toEqual([
      ['a', 10, { r: 0.5 }, null],
      ['b', 30, { r: 0.7 }, null],
      ['c', 0, null, { code: 'TIMEOUT', reason: 'no result before the deadline' }],
    ]);
    expect(db.store.evaluations.list('run-1')).toEqual([done]);
  });

  it('refuses a second answer of a site, an unknown site and closing twice, with messages naming them', () => {
    db.store.evaluations.begin({ ...key, askedSiteIds: ['a'], deadlineAt: 1 });
    db.store.evaluations.recordSite(key, { siteId: 'a', recordCount: 5, metrics: {} });

    expect(() => db.store.evaluations.recordSite(key, { siteId: 'a', recordCount: 5, metrics: {} })).toThrow(
      'site a already answered the evaluation of round 3 of run run-1',
    );
    expect(() => db.store.evaluations.recordSite(key, { siteId: 'zz', recordCount: 5, metrics: {} })).toThrow('cannot record site zz');
    expect(() => db.store.evaluations.begin({ ...key, askedSiteIds: ['a'], deadlineAt: 1 })).toThrow('the evaluation of round 3 of run run-1 already exists');
    db.store.evaluations.fail(key, 'no site answered', { siteCount: 0, recordCount: 0, failureCount: 1 });
    expect(() => db.store.evaluations.complete(key, { metrics: {}, summary: { siteCount: 0, recordCount: 0, failureCount: 0 } })).toThrow(
      'the evaluation of round 3 of run run-1 is failed and cannot become completed',
    );
    expect(() => db.store.evaluations.get({ runId: 'run-1', round: 9 })).toThrow('no evaluation of round 9 of run run-1');
  });

  it('marks the evaluations a restart interrupted as failed, leaving finished ones', () => {
    db.store.evaluations.begin({ runId: 'run-1', round: 1, askedSiteIds: ['a'], deadlineAt: 1 });
    db.store.evaluations.complete({ runId: 'run-1', round: 1 }, { metrics: { r: 1 }, summary: { siteCount: 1, recordCount: 1, failureCount: 0 } });
    db.store.evaluations.begin({ runId: 'run-1', round: 2, askedSiteIds: ['a'], deadlineAt: 1 });

    expect(db.store.evaluations.failUnfinished('run-1', 'interrupted')).toBe(1);
    expect(db.store.evaluations.list('run-1').map((e) => [e.round, e.status, e.error])).toEqual([
      [1, 'completed', null],
      [2, 'failed', 'interrupted'],
    ]);

    db.store.evaluations.begin({ runId: 'run-1', round: 3, askedSiteIds: ['a'], deadlineAt: 1 });
    expect(db.store.evaluations.failAllUnfinished('the coordinator restarted')).toBe(1);
    expect(db.store.evaluations.get({ runId: 'run-1', round: 3 })).toMatchObject({ status: 'failed', error: 'the coordinator restarted' });
  });
});
