import { useTempStore } from '../__fixtures__/temp-store';
import { PLAN } from '../__fixtures__/plans';

describe('RunRepository', () => {
  const db = useTempStore();
  const { clock } = db;

  it('creates a run with its plan and options', () => {
    const run = db.store.runs.create({ id: 'run-1', plan: PLAN, options: { strategy: { name: 'fedavg' } } });

    expect(run).toEqual({
      id: 'run-1',
      status: 'created',
      plan: PLAN,
      options: { strategy: { name: 'fedavg' } },
      createdAt: clock.now(),
      startedAt: null,
      finishedAt: null,
      error: null,
      currentPhase: null,
      currentRound: null,
      vocabulary: null,
      vocabularyHash: null,
    });
    expect(() => db.store.runs.create({ id: 'run-1', plan: PLAN })).toThrow('a run with id "run-1" already exists');
  });

  it('moves through its statuses and timestamps them', () => {
    db.store.runs.create({ id: 'r', plan: PLAN });
    clock.advance(10);
    const started = db.store.runs.start('r');
    clock.advance(10);
    const stopped = db.store.runs.finish('r', { status: 'stopped' });
    clock.advance(10);
    const resumed = db.store.runs.start('r');
    clock.advance(10);
    const failed = db.store.runs.finish('r', { status: 'failed', error: 'round 3 failed 2 times' });

    expect(started).toMatchObject({ status: 'running', startedAt: clock.now() - 30, finishedAt: null });
    expect(stopped).toMatchObject({ status: 'stopped', finishedAt: clock.now() - 20 });
    expect(resumed).toMatchObject({ status: 'running', startedAt: clock.now() - 30, finishedAt: null });
    expect(failed).toMatchObject({ status: 'failed', error: 'round 3 failed 2 times', finishedAt: clock.now() });
  });

  it('refuses transitions that make no sense, naming the status', () => {
    db.store.runs.create({ id: 'r', plan: PLAN });

    expect(() => db.store.runs.finish('r', { status: 'completed' })).toThrow('run r is created and cannot become completed');
    db.store.runs.start('r');
    db.store.runs.finish('r', { status: 'completed' });
    expect(() => db.store.runs.start('r')).toThrow('run r is completed and cannot become running');
    expect(() => db.store.runs.start('nope')).toThrow('no run with id "nope"');
  });

  it('stores the vocabulary and progress, and lists by status', () => {
    db.store.runs.create({ id: 'a', plan: PLAN });
    clock.advance(1);
    db.store.runs.create({ id: 'b', plan: PLAN });
    db.store.runs.start('b');

    db.store.runs.setVocabulary('b', { codes: ['401', '250'], hash: 'ab12' });
    db.store.runs.setProgress('b', { phase: 'gan', round: 3 });

    expect(db.store.runs.get('b')).toMatchObject({ vocabulary: ['401', '250'], vocabularyHash: 'ab12', currentPhase: 'gan', currentRound: 3 });
    expect(db.store.runs.list().map((r) => r.id)).toEqual(['a', 'b']);
    expect(db.store.runs.list({ status: 'running' }).map((r) => r.id)).toEqual(['b']);
    expect(() => db.store.runs.setVocabulary('zz', { codes: [], hash: '' })).toThrow('no run with id "zz"');
  });

  it('stores a pooled marginal target as float32 bytes, outside the run record', () => {
    db.store.runs.create({ id: 'p', plan: PLAN });
    expect(db.store.runs.marginalTarget('p')).toBeUndefined();
    db.store.runs.setMarginalTarget('p', new Float32Array([0.25, 0.5, 0.125]));
    expect(Array.from(db.store.runs.marginalTarget('p')!)).toEqual([0.25, 0.5, 0.125]);
    expect(db.store.runs.get('p')).not.toHaveProperty('marginalTarget');
    expect(() => db.store.runs.marginalTarget('zz')).toThrow('no run with id "zz"');
    expect(() => db.store.runs.setMarginalTarget('zz', new Float32Array(1))).toThrow('no run with id "zz"');
  });

  it('keeps runs across a reopening of the file', () => {
    db.store.runs.create({ id: 'r', plan: PLAN });
    db.store.runs.start('r');
    db.reopen();

    expect(db.store.runs.get('r')).toMatchObject({ status: 'running', plan: PLAN });
  });
});
