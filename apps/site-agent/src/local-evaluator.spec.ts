import { createModel, getWeights, matrixFromRows, type BinaryMatrix } from '@fedsynth/gan';
import { DEFAULT_LIMITS, type EvalTask } from '@fedsynth/protocol';
import { LocalEvaluator, pickMetrics } from './local-evaluator';

const CODES = 12;
const SPEC = { 'model.latentDim': 4, 'model.generatorBlocks': 1, 'model.discriminatorDims.0': 8 };

/** The global model of a tiny medGAN run (seeded), as an EvalTask. */
function task(overrides: Partial<EvalTask['options']> = {}, vocabularySize = CODES): EvalTask {
  const model = createModel('medgan', { vocabularySize, latentDim: 4, generatorBlocks: 1, discriminatorDims: [8], initSeed: 3 });
  try {
    const weights = getWeights(model).map((w) => ({ name: w.name, shape: [...w.shape], data: w.values }));
    return { runId: 'run-1', round: 4, modelFamily: 'medgan', weights, options: { sampleCount: 0, seed: 9, metrics: [], extra: SPEC, ...overrides } };
  } finally {
    model.dispose();
  }
}

/** `n` records holding one to three codes each. */
function records(n: number, offset: number): BinaryMatrix {
  const rows = Array.from({ length: n }, (_, i) => {
    const r = i + offset;
    return [...new Set([r % CODES, (r * 5 + 1) % CODES, (r * 7 + 3) % 4])].sort((a, b) => a - b);
  });
  return matrixFromRows(rows, CODES);
}

describe('LocalEvaluator', () => {
  const data = { train: records(60, 0), holdout: records(30, 1000) };
  // Few predicted codes: the metrics' cost, not their meaning, is what these settings change.
  const evaluator = new LocalEvaluator({ quality: { predictionCodes: 3, detectionFolds: 2, logistic: { steps: 40 } } });
  afterAll(() => evaluator.dispose());

  it('sends named finite numbers and the held-out record count, nothing per record', () => {
    const result = evaluator.run(task(), data);

    expect(result).toMatchObject({ runId: 'run-1', round: 4, recordCount: 30 });
    const names = Object.keys(result.metrics);
    expect(names).toEqual(expect.arrayContaining(['synthetic.fidelity.prevalence.pearson', 'synthetic.fidelity.prevalence.rmse', 'synthetic.privacy.membershipInference.advantage']));
    expect(names.length).toBeLessThanOrEqual(DEFAULT_LIMITS.maxMetrics);
    for (const value of Object.values(result.metrics)) expect(Number.isFinite(value)).toBe(true);
    // As many synthetic records as held-out ones unless the task says otherwise.
    expect(result.metrics['inputs.synthetic.records']).toBe(30);
    expect(result.metrics['inputs.holdout.records']).toBe(30);
  });

  it('is deterministic for a task, and samples the requested count', () => {
    expect(evaluator.run(task(), data).metrics).toEqual(evaluator.run(task(), data).metrics);
    expect(evaluator.run(task({ sampleCount: 45 }), data).metrics['inputs.synthetic.records']).toBe(45);
  });

  it('keeps only the requested metrics', () => {
    const result = evaluator.run(task({ metrics: ['synthetic.fidelity.prevalence.rmse'] }), data);
    expect(Object.keys(result.metrics)).toEqual(['synthetic.fidelity.prevalence.rmse']);
  });

  it('refuses a held-out split below the floor, weights of another vocabulary and an unknown family, saying why', () => {
    expect(() => new LocalEvaluator().run(task(), { train: data.train, holdout: records(10, 2000) })).toThrow(
      "the site's holdout set has 10 records; quality summaries need at least 20",
    );
    expect(() => evaluator.run(task({}, CODES + 1), data)).toThrow(/has shape .* but the model expects/);
    expect(() => evaluator.run({ ...task(), modelFamily: 'vae' }, data)).toThrow('unknown model family "vae"');
  });
});

describe('pickMetrics', () => {
  const all = { 'a.r': 0.5, 'a.rmse': 0.1, 'b.undefined': null };

  it('drops undefined metrics, and keeps the requested ones', () => {
    expect(pickMetrics(all, [])).toEqual({ 'a.r': 0.5, 'a.rmse': 0.1 });
    expect(pickMetrics(all, ['a.rmse', 'b.undefined'])).toEqual({ 'a.rmse': 0.1 });
  });

  it('refuses an unknown name, naming it', () => {
    expect(() => pickMetrics(all, ['a.r', 'nzc'])).toThrow('unknown evaluation metric(s) nzc');
  });
});
