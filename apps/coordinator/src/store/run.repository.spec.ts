import { join } from 'node:path';
import { manualClock, useTempDir } from '../__fixtures__/temp-dir';
import { PLAN } from '../__fixtures__/plans';
import { CoordinatorStore } from './coordinator-store';

describe('RunRepository', () => {
  const dir = useTempDir();
  const clock = manualClock();
  let store: CoordinatorStore;
  beforeEach(() => {
    store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite'), now: clock.now });
  });
  afterEach(() => store.close());

  it('creates a run with its plan and options', () => {
    const run = store.runs.create({ id: 'run-1', plan: PLAN, options: { strategy: { name: 'fedavg' } } });

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
    expect(() => store.runs.create({ id: 'run-1', plan: PLAN })).toThrow('a run with id "run-1" already exists');
  });

  it('moves through its statuses and timestamps them', () => {
    store.runs.create({ id: 'r', plan: PLAN });
    clock.advance(10);
    const started = store.runs.start('r');
    clock.advance(10);
    const stopped = store.runs.finish('r', { status: 'stopped' });
    clock.advance(10);
    const resumed = store.runs.start('r');
    clock.advance(10);
    const failed = store.runs.finish('r', { status: 'failed', error: 'round 3 failed 2 times' });

    expect(started).toMatchObject({ status: 'running', startedAt: clock.now() - 30, finishedAt: null });
    expect(stopped).toMatchObject({ status: 'stopped', finishedAt: clock.now() - 20 });
    expect(resumed).toMatchObject({ status: 'running', startedAt: clock.now() - 30, finishedAt: null });
    expect(failed).toMatchObject({ status: 'failed', error: 'round 3 failed 2 times', finishedAt: clock.now() });
  });

  it('refuses transitions that make no sense, naming the status', () => {
    store.runs.create({ id: 'r', plan: PLAN });

    expect(() => store.runs.finish('r', { status: 'completed' })).toThrow('run r is created and cannot become completed');
    store.runs.start('r');
    store.runs.finish('r', { status: 'completed' });
    expect(() => store.runs.start('r')).toThrow('run r is completed and cannot become running');
    expect(() => store.runs.start('nope')).toThrow('no run with id "nope"');
  });

  it('stores the vocabulary and progress, and lists by status', () => {
    store.runs.create({ id: 'a', plan: PLAN });
    clock.advance(1);
    store.runs.create({ id: 'b', plan: PLAN });
    store.runs.start('b');

    store.runs.setVocabulary('b', { codes: ['401', '250'], hash: 'ab12' });
    store.runs.setProgress('b', { phase: 'gan', round: 3 });

    expect(store.runs.get('b')).toMatchObject({ vocabulary: ['401', '250'], vocabularyHash: 'ab12', currentPhase: 'gan', currentRound: 3 });
    expect(store.runs.list().map((r) => r.id)).toEqual(['a', 'b']);
    expect(store.runs.list({ status: 'running' }).map((r) => r.id)).toEqual(['b']);
    expect(() => store.runs.setVocabulary('zz', { codes: [], hash: '' })).toThrow('no run with id "zz"');
  });

  it('keeps runs across a reopening of the file', () => {
    store.runs.create({ id: 'r', plan: PLAN });
    store.runs.start('r');
    store.close();

    store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite') });

    expect(store.runs.get('r')).toMatchObject({ status: 'running', plan: PLAN });
  });
});
