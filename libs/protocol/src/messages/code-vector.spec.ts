import { fedsynth } from '../generated/fedsynth';
import { createEnvelope } from '../envelope/create-envelope';
import { decodeEnvelope } from '../envelope/decode-envelope';
import { encodeEnvelope } from '../envelope/encode-envelope';
import { ProtocolError } from '../errors/protocol-error';
import { DEFAULT_LIMITS } from '../limits';
import { vocabularyDigest } from '../vocabulary/vocabulary-digest';
import { checkCodeVector, codeVectorBytes } from './code-vector';
import type { Envelope, TrainTask } from './types';

const pb = fedsynth.v1;

function roundTrip(envelope: Envelope): Envelope {
  return decodeEnvelope(encodeEnvelope(envelope));
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return `${error.code} ${error.field}: ${error.reason}`;
    throw error;
  }
  return 'none';
}

const task = (marginals: TrainTask['marginals'], dp?: TrainTask['dp']): TrainTask => ({
  runId: 'run-1',
  round: 3,
  phase: 'gan',
  modelFamily: 'medgan',
  weights: [{ name: 'w', shape: [1], data: new Float32Array([1]) }],
  options: { localEpochs: 1, batchSize: 50, learningRate: 1e-3, seed: 1, extra: {} },
  ...(marginals ? { marginals } : {}),
  ...(dp ? { dp } : {}),
});

describe('code vectors on the wire (site code counts, pooled prevalences)', () => {
  it('checks whole float32 values, finite and within [0, max], and copies them off the buffer', () => {
    const bytes = codeVectorBytes(new Float32Array([0, 2, 5]));
    const decoded = checkCodeVector(bytes, 'f', DEFAULT_LIMITS, 5);
    expect(Array.from(decoded)).toEqual([0, 2, 5]);
    bytes.fill(0);
    expect(Array.from(decoded)).toEqual([0, 2, 5]);
    expect(errorOf(() => checkCodeVector(new Uint8Array(6), 'f', DEFAULT_LIMITS, 1))).toBe('INVALID_VALUE f: 6 bytes is not a whole number of float32 values');
    expect(errorOf(() => checkCodeVector(new Float32Array([0.5, NaN]), 'f', DEFAULT_LIMITS, 1))).toBe('NON_FINITE f: value 1 is NaN');
    expect(errorOf(() => checkCodeVector(new Float32Array([6]), 'f', DEFAULT_LIMITS, 5))).toBe('INVALID_VALUE f: value 0 is 6, outside [0, 5]');
    expect(errorOf(() => checkCodeVector(new Float32Array([-1]), 'f', DEFAULT_LIMITS, 5))).toBe('INVALID_VALUE f: value 0 is -1, outside [0, 5]');
    expect(errorOf(() => checkCodeVector(new Float32Array(3), 'f', { ...DEFAULT_LIMITS, maxCodes: 2 }, 1))).toBe('TOO_LARGE f: 3 values, more than the 2 codes allowed');
    expect(errorOf(() => checkCodeVector(new Float32Array([2.5]), 'f', DEFAULT_LIMITS, 5, { integers: true }))).toBe('INVALID_VALUE f: value 0 is 2.5, not a whole count');
    expect(Array.from(checkCodeVector(new Float32Array([2.5]), 'f', DEFAULT_LIMITS, 5))).toEqual([2.5]);
  });

  it('carries the proposal flag and a site agreement with its code counts; counts above the records are refused', () => {
    const codes = ['401.9', '428.0'];
    const proposal = roundTrip(createEnvelope('vocabularyProposal', { runId: 'r', codes, source: 'union', codeLevel: 'full', minCodeCount: 5, codeCountsWanted: true }));
    expect(proposal.body.kind === 'vocabularyProposal' && proposal.body.value.codeCountsWanted).toBe(true);
    const plain = roundTrip(createEnvelope('vocabularyProposal', { runId: 'r', codes, source: 'union', codeLevel: 'full', minCodeCount: 5 }));
    expect(plain.body.kind).toBe('vocabularyProposal');
    expect(plain.body.kind === 'vocabularyProposal' && 'codeCountsWanted' in plain.body.value).toBe(false);

    const agreement = { runId: 'r', digest: vocabularyDigest(codes), accepted: true, coveredRecordCount: 30, reason: '' };
    const back = roundTrip(createEnvelope('vocabularyAgreement', { ...agreement, codeCounts: new Float32Array([12, 30]), trainingRecordCount: 40 }));
    expect(back.body.kind === 'vocabularyAgreement' && [Array.from(back.body.value.codeCounts!), back.body.value.trainingRecordCount]).toEqual([[12, 30], 40]);
    const none = roundTrip(createEnvelope('vocabularyAgreement', agreement));
    expect(none.body.kind).toBe('vocabularyAgreement');
    expect(none.body.kind === 'vocabularyAgreement' && 'codeCounts' in none.body.value).toBe(false);
    expect(errorOf(() => encodeEnvelope(createEnvelope('vocabularyAgreement', { ...agreement, codeCounts: new Float32Array([41]), trainingRecordCount: 40 })))).toBe(
      'INVALID_VALUE vocabularyAgreement.codeCounts: value 0 is 41, outside [0, 40]',
    );
    // A peer skipping our encoder: a count above its records, straight on the wire.
    const wire = pb.Envelope.encode({ protocolVersion: 1, messageId: 'm-1', vocabularyAgreement: { ...agreement, codeCounts: codeVectorBytes(new Float32Array([50])), trainingRecordCount: 40 } }).finish();
    expect(errorOf(() => decodeEnvelope(wire))).toBe('INVALID_VALUE vocabularyAgreement.codeCounts: value 0 is 50, outside [0, 40]');
  });

  it('carries pooled prevalences in a TrainTask without dp; refuses them with dp or outside [0, 1]', () => {
    const pooled = new Float32Array([0.25, 0.5, 0]);
    const back = roundTrip(createEnvelope('trainTask', task({ weight: 1, noiseMultiplier: 0, pooledPrevalence: pooled })));
    expect(back.body.kind === 'trainTask' && Array.from(back.body.value.marginals!.pooledPrevalence!)).toEqual([0.25, 0.5, 0]);
    expect(errorOf(() => encodeEnvelope(createEnvelope('trainTask', task({ weight: 1, noiseMultiplier: 0, pooledPrevalence: new Float32Array([1.5]) }))))).toBe(
      'INVALID_VALUE trainTask.marginals.pooledPrevalence: value 0 is 1.5, outside [0, 1]',
    );
    const dp = { noiseMultiplier: 1, clipNorm: 1, expectedBatchSize: 10 };
    expect(errorOf(() => encodeEnvelope(createEnvelope('trainTask', task({ weight: 1, noiseMultiplier: 2, pooledPrevalence: pooled }, dp))))).toBe(
      'INVALID_VALUE trainTask.marginals.pooledPrevalence: pooled prevalences are for runs without dp',
    );
  });

  it('carries the batch-mean correction flag with pooled prevalences only', () => {
    const pooled = new Float32Array([0.25, 0.5]);
    const means = roundTrip(createEnvelope('trainTask', task({ weight: 1, noiseMultiplier: 0, pooledPrevalence: pooled, correctBatchMeans: true })));
    expect(means.body.kind === 'trainTask' && means.body.value.marginals!.correctBatchMeans).toBe(true);
    const plain = roundTrip(createEnvelope('trainTask', task({ weight: 1, noiseMultiplier: 0, pooledPrevalence: pooled })));
    expect(plain.body.kind === 'trainTask' && 'correctBatchMeans' in plain.body.value.marginals!).toBe(false); // only when the run asks
    expect(errorOf(() => encodeEnvelope(createEnvelope('trainTask', task({ weight: 1, noiseMultiplier: 0, correctBatchMeans: true }))))).toBe(
      'INVALID_VALUE trainTask.marginals.correctBatchMeans: batch-mean correction needs the pooled prevalences',
    );
  });
});
