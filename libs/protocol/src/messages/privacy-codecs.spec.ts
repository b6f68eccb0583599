import { fedsynth } from '../generated/fedsynth';
import { createEnvelope } from '../envelope/create-envelope';
import { decodeEnvelope } from '../envelope/decode-envelope';
import { encodeEnvelope } from '../envelope/encode-envelope';
import { ProtocolError } from '../errors/protocol-error';
import type { DataSummary, Envelope, TrainResult, TrainTask } from './types';

const pb = fedsynth.v1;
const weights = [{ name: 'w', shape: [2], data: new Float32Array([0.5, -1]) }];

function task(overrides: Partial<TrainTask> = {}): TrainTask {
  return {
    runId: 'run-1',
    round: 3,
    phase: 'gan',
    modelFamily: 'medgan',
    weights,
    options: { localEpochs: 1, batchSize: 50, learningRate: 1e-3, seed: 1, extra: {} },
    ...overrides,
  };
}

function result(overrides: Partial<TrainResult> = {}): TrainResult {
  return { runId: 'run-1', round: 3, phase: 'gan', recordCount: 40, weights, metrics: {}, ...overrides };
}

function summary(overrides: Partial<DataSummary> = {}): DataSummary {
  return { recordCount: 40, recordUnit: 'patient', codeLevel: 'category', minCodeCount: 5, codes: ['401', '428'], ...overrides };
}

function roundTrip(envelope: Envelope): Envelope {
  return decodeEnvelope(encodeEnvelope(envelope));
}

/** The ProtocolError an encode throws, as `code field`. */
function encodeError(envelope: Envelope): string {
  try {
    encodeEnvelope(envelope);
  } catch (error) {
    if (error instanceof ProtocolError) return `${error.code} ${error.field}`;
    throw error;
  }
  return 'none';
}

/** Decodes hand-built wire bytes (a peer that skips our encoder's checks). */
function decodeError(body: Record<string, unknown>): string {
  const bytes = pb.Envelope.encode({ protocolVersion: 1, messageId: 'm-1', ...body }).finish();
  try {
    decodeEnvelope(bytes);
  } catch (error) {
    if (error instanceof ProtocolError) return `${error.code} ${error.field}`;
    throw error;
  }
  return 'none';
}

describe('privacy fields on the wire', () => {
  it('carries DpSettings in a TrainTask, and leaves it absent when not set', () => {
    const dp = { noiseMultiplier: 1.1, clipNorm: 0.8, expectedBatchSize: 64 };
    const decoded = roundTrip(createEnvelope('trainTask', task({ dp })));
    expect(decoded.body.kind === 'trainTask' && decoded.body.value.dp).toEqual(dp);
    const plain = roundTrip(createEnvelope('trainTask', task()));
    expect(plain.body.kind === 'trainTask' && 'dp' in plain.body.value).toBe(false);
  });

  it('carries marginal matching in a TrainTask: exact (noise 0) without dp, a noisy release with dp; refuses the rest naming the field', () => {
    const exact = { weight: 0.5, noiseMultiplier: 0 };
    const plainBack = roundTrip(createEnvelope('trainTask', task({ marginals: exact })));
    expect(plainBack.body.kind === 'trainTask' && plainBack.body.value.marginals).toEqual(exact);
    const dp = { noiseMultiplier: 1.1, clipNorm: 0.8, expectedBatchSize: 64 };
    const noisy = { weight: 1, noiseMultiplier: 4 };
    const dpBack = roundTrip(createEnvelope('trainTask', task({ dp, marginals: noisy })));
    expect(dpBack.body.kind === 'trainTask' && [dpBack.body.value.dp, dpBack.body.value.marginals]).toEqual([dp, noisy]);
    const bad = (marginals: { weight: number; noiseMultiplier: number }, withDp = true) => createEnvelope('trainTask', task({ ...(withDp ? { dp } : {}), marginals }));
    expect(encodeError(bad({ weight: NaN, noiseMultiplier: 4 }))).toBe('NON_FINITE trainTask.marginals.weight');
    // Exact prevalences under dp would void the guarantee: a noise multiplier is required.
    expect(encodeError(bad({ weight: 1, noiseMultiplier: 0 }))).toBe('MISSING_FIELD trainTask.marginals.noiseMultiplier');
    expect(encodeError(bad({ weight: 1, noiseMultiplier: -2 }))).toBe('INVALID_VALUE trainTask.marginals.noiseMultiplier');
    expect(encodeError(bad({ weight: 1, noiseMultiplier: -2 }, false))).toBe('INVALID_VALUE trainTask.marginals.noiseMultiplier');
    expect(encodeError(bad({ weight: 0, noiseMultiplier: 0 }, false))).toBe('MISSING_FIELD trainTask.marginals.weight');
  });

  it('carries PrivacySpent in a TrainResult and a DataSummary', () => {
    const privacy = { epsilon: 2.75, delta: 1e-5, steps: 1234 };
    const decoded = roundTrip(createEnvelope('trainResult', result({ privacy })));
    expect(decoded.body.kind === 'trainResult' && decoded.body.value.privacy).toEqual(privacy);
    const zero = { epsilon: 0, delta: 1e-6, steps: 0 };
    const summaryBack = roundTrip(createEnvelope('dataSummary', summary({ privacy: zero })));
    expect(summaryBack.body.kind === 'dataSummary' && summaryBack.body.value.privacy).toEqual(zero);
    const plain = roundTrip(createEnvelope('trainResult', result()));
    expect(plain.body.kind === 'trainResult' && 'privacy' in plain.body.value).toBe(false);
  });

  it('refuses unusable DP settings before sending, naming the field', () => {
    const dp = (over: Record<string, number>) => createEnvelope('trainTask', task({ dp: { noiseMultiplier: 1, clipNorm: 1, expectedBatchSize: 10, ...over } }));
    expect(encodeError(dp({ noiseMultiplier: NaN }))).toBe('NON_FINITE trainTask.dp.noiseMultiplier');
    expect(encodeError(dp({ noiseMultiplier: -1 }))).toBe('INVALID_VALUE trainTask.dp.noiseMultiplier');
    // σ = 0 would train with clipping only (ε = ∞) while looking private.
    expect(encodeError(dp({ noiseMultiplier: 0 }))).toBe('MISSING_FIELD trainTask.dp.noiseMultiplier');
    expect(encodeError(dp({ clipNorm: Infinity }))).toBe('NON_FINITE trainTask.dp.clipNorm');
    expect(encodeError(dp({ clipNorm: -0.5 }))).toBe('INVALID_VALUE trainTask.dp.clipNorm');
    expect(encodeError(dp({ expectedBatchSize: 0 }))).toBe('MISSING_FIELD trainTask.dp.expectedBatchSize');
    expect(encodeError(dp({ expectedBatchSize: 2.5 }))).toBe('INVALID_VALUE trainTask.dp.expectedBatchSize');
  });

  it('refuses an unusable privacy report before sending, naming the field', () => {
    const spent = (over: Record<string, number>) => createEnvelope('trainResult', result({ privacy: { epsilon: 1, delta: 1e-5, steps: 3, ...over } }));
    expect(encodeError(spent({ epsilon: NaN }))).toBe('NON_FINITE trainResult.privacy.epsilon');
    expect(encodeError(spent({ epsilon: Infinity }))).toBe('NON_FINITE trainResult.privacy.epsilon');
    expect(encodeError(spent({ epsilon: -0.1 }))).toBe('INVALID_VALUE trainResult.privacy.epsilon');
    expect(encodeError(spent({ delta: NaN }))).toBe('INVALID_VALUE trainResult.privacy.delta');
    expect(encodeError(spent({ delta: 1 }))).toBe('INVALID_VALUE trainResult.privacy.delta');
    expect(encodeError(spent({ delta: 0 }))).toBe('MISSING_FIELD trainResult.privacy.delta');
    expect(encodeError(spent({ steps: -1 }))).toBe('INVALID_VALUE trainResult.privacy.steps');
    const badSummary = createEnvelope('dataSummary', summary({ privacy: { epsilon: -1, delta: 1e-5, steps: 0 } }));
    expect(encodeError(badSummary)).toBe('INVALID_VALUE dataSummary.privacy.epsilon');
  });

  it('refuses the same values arriving from a peer', () => {
    const wireTask = { runId: 'r', round: 0, phase: 2, modelFamily: 'medgan', options: { localEpochs: 1, batchSize: 1, learningRate: 0.1 }, weights: { tensors: [{ name: 'w', dtype: 1, shape: [1], data: new Uint8Array(4) }] } };
    expect(decodeError({ trainTask: { ...wireTask, dp: { noiseMultiplier: NaN, clipNorm: 1, expectedBatchSize: 4 } } })).toBe('NON_FINITE trainTask.dp.noiseMultiplier');
    expect(decodeError({ trainTask: { ...wireTask, dp: { noiseMultiplier: 1, clipNorm: -2, expectedBatchSize: 4 } } })).toBe('INVALID_VALUE trainTask.dp.clipNorm');
    // An empty DpSettings (all defaults) is not "no DP": its σ is missing.
    expect(decodeError({ trainTask: { ...wireTask, dp: {} } })).toBe('MISSING_FIELD trainTask.dp.noiseMultiplier');
    const wireResult = { runId: 'r', round: 0, phase: 2, recordCount: 3, weights: wireTask.weights };
    expect(decodeError({ trainResult: { ...wireResult, privacy: { epsilon: -3, delta: 1e-5 } } })).toBe('INVALID_VALUE trainResult.privacy.epsilon');
    expect(decodeError({ trainResult: { ...wireResult, privacy: { epsilon: 1, delta: 2 } } })).toBe('INVALID_VALUE trainResult.privacy.delta');
    expect(decodeError({ dataSummary: { recordCount: 1, recordUnit: 1, codeLevel: 2, privacy: { epsilon: NaN, delta: 1e-5 } } })).toBe('NON_FINITE dataSummary.privacy.epsilon');
    expect(decodeError({ trainResult: { ...wireResult, privacy: { epsilon: 1.5, delta: 1e-5, steps: 7 } } })).toBe('none');
  });

  it('maps PRIVACY_BUDGET_EXCEEDED to wire value 21 and back', () => {
    const reply = roundTrip(createEnvelope('error', { code: 'PRIVACY_BUDGET_EXCEEDED', reason: 'ε would reach 3.2 > 3' }));
    expect(reply.body).toEqual({ kind: 'error', value: { code: 'PRIVACY_BUDGET_EXCEEDED', reason: 'ε would reach 3.2 > 3' } });
    expect(pb.ErrorCode.ERROR_CODE_PRIVACY_BUDGET_EXCEEDED).toBe(21);
  });
});
