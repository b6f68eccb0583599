import { PROTOCOL_ERROR_CODES } from '../errors/protocol-error';
import type { BodyKind, BodyMap, BodyOf, DType, Envelope, Metrics, PrivacySpent } from '../messages/types';
import type { NamedTensor, WeightSet } from '../tensors/weight-set';
import { vocabularyDigest } from '../vocabulary/vocabulary-digest';
import { PROTOCOL_VERSION } from '../version';
import { SECURE_AGGREGATION_SAMPLERS, sampleSecureAggregationSettings } from './sample-secure-aggregation';
import { SeededRandom } from './seeded-random';

/**
 * Random but valid messages of every kind, reproducible from a seed: the raw material of
 * the round-trip and fuzz tests. Weight sets are small (tests stay fast) but cover every
 * rank from scalar to 4-D.
 */

function id(rng: SeededRandom, prefix: string): string {
  return `${prefix}-${rng.text(rng.int(1, 12))}`;
}

function metrics(rng: SeededRandom, max = 6): Metrics {
  const out: Metrics = {};
  const count = rng.int(0, max);
  for (let i = 0; i < count; i++) out[`m${i}_${rng.text(3)}`] = rng.normal(0, 10);
  return out;
}

export function sampleWeights(rng: SeededRandom, maxTensors = 5): WeightSet {
  const count = rng.int(1, maxTensors);
  const tensors: NamedTensor[] = [];
  for (let i = 0; i < count; i++) {
    const rank = rng.int(0, 4);
    const shape = Array.from({ length: rank }, () => rng.int(1, rank > 2 ? 4 : 24));
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let j = 0; j < data.length; j++) data[j] = rng.normal(0, 0.2);
    tensors.push({ name: `layer${i}/${rng.pick(['kernel', 'bias', 'gamma', 'beta'])}`, shape, data });
  }
  return tensors;
}

function codes(rng: SeededRandom, max: number): string[] {
  const set = new Set<string>();
  const count = rng.int(1, max);
  while (set.size < count) set.add(rng.pick(['', 'V', 'E']) + String(rng.int(1, 9999)));
  return Array.from(set).sort();
}

function privacySpent(rng: SeededRandom): PrivacySpent {
  return { epsilon: rng.uniform(0, 20), delta: rng.pick([1e-5, 1e-6, 1e-3]), steps: rng.int(0, 100_000) };
}

function dtypes(rng: SeededRandom): DType[] {
  return rng.pick<DType[]>([[], ['float32'], ['float32', 'float16'], ['float16']]);
}

const SAMPLERS: { [K in BodyKind]: (rng: SeededRandom) => BodyMap[K] } = {
  hello: (rng) => ({
    siteId: id(rng, 'site'),
    agentVersion: `0.${rng.int(0, 9)}.0`,
    acceptedDtypes: dtypes(rng),
    ...(rng.bool() ? { capabilities: rng.pick([['secagg-v1'], ['secagg-v1', 'dp-sgd-v1']]) } : {}),
  }),
  welcome: (rng) => ({
    sessionId: id(rng, 'session'),
    coordinatorVersion: '0.1.0',
    heartbeatIntervalMs: rng.int(0, 60_000),
    maxMessageBytes: rng.int(1, 2 ** 30),
    maxChunkBytes: rng.int(1, 2 ** 20),
    acceptedDtypes: dtypes(rng),
  }),
  heartbeat: (rng) => {
    const busy = rng.bool();
    return {
      sentAtUnixMs: 1.7e12 + rng.int(0, 1e9),
      state: busy ? rng.pick(['training', 'evaluating'] as const) : 'idle',
      runId: busy ? id(rng, 'run') : '',
      ...(busy ? { round: rng.int(0, 500) } : {}),
      progress: busy ? rng.next() : 0,
    };
  },
  dataSummary: (rng) => ({
    recordCount: rng.int(0, 50_000),
    recordUnit: rng.pick(['patient', 'admission'] as const),
    codeLevel: rng.pick(['full', 'category'] as const),
    minCodeCount: rng.int(1, 20),
    codes: codes(rng, 40),
    ...(rng.bool() ? { privacy: privacySpent(rng) } : {}),
  }),
  vocabularyProposal: (rng) => ({
    runId: id(rng, 'run'),
    codes: codes(rng, 40),
    source: rng.pick(['fixed', 'union'] as const),
    codeLevel: rng.pick(['full', 'category'] as const),
    minCodeCount: rng.int(1, 20),
    ...(rng.bool() ? { codeCountsWanted: true } : {}),
  }),
  vocabularyAgreement: (rng) => {
    const accepted = rng.bool(0.8);
    const trainingRecordCount = rng.int(1, 5000);
    return {
      runId: id(rng, 'run'),
      digest: vocabularyDigest(codes(rng, 5)),
      accepted,
      coveredRecordCount: rng.int(0, 5000),
      reason: accepted ? '' : 'vocabulary covers too few records',
      ...(accepted && rng.bool() ? { codeCounts: Float32Array.from({ length: rng.int(1, 40) }, () => rng.int(0, trainingRecordCount)), trainingRecordCount } : {}),
    };
  },
  trainTask: (rng) => ({
    runId: id(rng, 'run'),
    round: rng.int(0, 500),
    phase: rng.pick(['autoencoder', 'gan'] as const),
    modelFamily: rng.pick(['seed', 'medgan', 'wgan-gp']),
    weights: sampleWeights(rng),
    options: {
      localEpochs: rng.int(1, 10),
      ...(rng.bool() ? { localSteps: rng.int(1, 5000) } : {}),
      batchSize: rng.int(1, 1024),
      learningRate: rng.uniform(1e-5, 1e-2),
      seed: rng.int(0, 2 ** 32 - 1),
      extra: metrics(rng, 2),
    },
    ...(rng.bool() ? { deadlineUnixMs: 1.7e12 + rng.int(1, 1e9) } : {}),
    ...(() => {
      const dp = rng.bool() ? { dp: { noiseMultiplier: rng.uniform(0.3, 8), clipNorm: rng.uniform(0.1, 5), expectedBatchSize: rng.int(1, 1024) } } : {};
      // Exact prevalences (noise 0) only without dp, as the codec requires.
      // Pooled prevalences only without dp.
      const pooled =
        !('dp' in dp) && rng.bool()
          ? { pooledPrevalence: Float32Array.from({ length: rng.int(1, 40) }, () => Math.fround(rng.uniform(0, 1))), ...(rng.bool() ? { correctBatchMeans: true } : {}) }
          : {};
      const marginals = rng.bool() ? { marginals: { weight: rng.uniform(0.01, 10), noiseMultiplier: 'dp' in dp || rng.bool() ? rng.uniform(0.5, 20) : 0, ...pooled } } : {};
      return { ...dp, ...marginals };
    })(),
    ...(rng.bool() ? { secureAggregation: sampleSecureAggregationSettings(rng) } : {}),
  }),
  trainResult: (rng) => ({
    runId: id(rng, 'run'),
    round: rng.int(0, 500),
    phase: rng.pick(['autoencoder', 'gan'] as const),
    recordCount: rng.int(1, 50_000),
    weights: sampleWeights(rng),
    metrics: metrics(rng),
    ...(rng.bool() ? { privacy: privacySpent(rng) } : {}),
    ...(rng.bool() ? { localSteps: rng.int(1, 5000) } : {}),
  }),
  evalTask: (rng) => ({
    runId: id(rng, 'run'),
    round: rng.int(0, 500),
    modelFamily: rng.pick(['medgan', 'wgan-gp']),
    weights: sampleWeights(rng),
    options: { sampleCount: rng.int(0, 10_000), seed: rng.int(0, 1000), metrics: rng.pick([[], ['nzc', 'dimwise_r2']]), extra: metrics(rng, 2) },
    ...(rng.bool() ? { deadlineUnixMs: 1.7e12 + rng.int(1, 1e9) } : {}),
  }),
  evalResult: (rng) => ({ runId: id(rng, 'run'), round: rng.int(0, 500), recordCount: rng.int(0, 5000), metrics: metrics(rng) }),
  chunk: (rng) => {
    const totalBytes = rng.int(64, 4096);
    const total = rng.int(1, 8);
    const index = rng.int(0, total - 1);
    return {
      messageId: id(rng, 'msg'),
      index,
      total,
      totalBytes,
      digest: rng.bytes(32),
      data: rng.bytes(rng.int(1, Math.floor(totalBytes / total))),
    };
  },
  ack: () => ({}),
  ...SECURE_AGGREGATION_SAMPLERS,
  error: (rng) => ({ code: rng.pick(PROTOCOL_ERROR_CODES), reason: `failed: ${rng.text(rng.int(1, 40))}` }),
};

export function sampleBody<K extends BodyKind>(kind: K, rng: SeededRandom): BodyMap[K] {
  return SAMPLERS[kind](rng);
}

export function sampleEnvelope<K extends BodyKind>(kind: K, rng: SeededRandom): Envelope<BodyOf<K>> {
  return {
    protocolVersion: PROTOCOL_VERSION,
    messageId: id(rng, 'msg'),
    inReplyTo: rng.bool() ? id(rng, 'req') : '',
    body: { kind, value: sampleBody(kind, rng) } as unknown as BodyOf<K>,
  };
}
