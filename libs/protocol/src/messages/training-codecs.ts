import { fedsynth } from '../generated/fedsynth';
import { ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';
import { weightSetFromWire, weightSetToWire } from '../tensors/weight-set-codec';
import { WEIGHTS_KEY } from '../wire/field-keys';
import type { BodyCodec } from './body-codec';
import { checkFinite, checkId, checkMetrics, checkPresent, checkUint32 } from './field-checks';
import { phaseCodec } from './enum-codecs';
import { metricsFromWire, metricsToWire } from './metrics-codec';
import { codeVectorBytes } from './code-vector';
import { checkDpSettings, checkMarginalMatching, checkPrivacySpent } from './privacy-codecs';
import { checkSecureAggregationSettings } from './secure-aggregation-codecs';
import type { TrainOptions, TrainResult, TrainTask } from './types';

const pb = fedsynth.v1;

/** Round numbers are explicit on the wire (proto3 `optional`), so round 0 is not "absent". */
export function checkRound(round: number | null | undefined, field: string): number {
  if (round === null || round === undefined) throw new ProtocolError('MISSING_FIELD', 'required', { field });
  return checkUint32(round, field);
}

/** Absent and 0 both mean "no deadline". */
export function checkDeadline(deadline: number | null | undefined, field: string): number | undefined {
  const value = checkFinite(deadline ?? 0, field, { min: 0 });
  return value === 0 ? undefined : value;
}

function checkTrainOptions(
  v: fedsynth.v1.TrainOptions.$Properties | TrainOptions | null | undefined,
  field: string,
  limits: ProtocolLimits,
): TrainOptions {
  const options = checkPresent(v, field);
  // proto3 reads an absent local_steps as 0: whole epochs.
  const localSteps = checkUint32(options.localSteps ?? 0, `${field}.localSteps`);
  return {
    localEpochs: checkUint32(options.localEpochs, `${field}.localEpochs`, { min: 1 }),
    ...(localSteps > 0 ? { localSteps } : {}),
    batchSize: checkUint32(options.batchSize, `${field}.batchSize`, { min: 1 }),
    learningRate: checkFinite(options.learningRate, `${field}.learningRate`, { min: 0 }),
    seed: checkUint32(options.seed, `${field}.seed`),
    extra: checkMetrics(options.extra, `${field}.extra`, limits),
  };
}

export const trainTaskCodec: BodyCodec<'trainTask'> = {
  encode(v, ctx, field) {
    const deadline = checkDeadline(v.deadlineUnixMs, `${field}.deadlineUnixMs`);
    const dp = checkDpSettings(v.dp, `${field}.dp`);
    const marginals = checkMarginalMatching(v.marginals, `${field}.marginals`, dp !== undefined, ctx.limits);
    const secureAggregation = checkSecureAggregationSettings(v.secureAggregation, `${field}.secureAggregation`, ctx.limits);
    const head = pb.TrainTask.encode({
      runId: checkId(v.runId, `${field}.runId`, ctx.limits),
      round: checkRound(v.round, `${field}.round`),
      phase: phaseCodec.toWire(v.phase, `${field}.phase`),
      modelFamily: checkId(v.modelFamily, `${field}.modelFamily`, ctx.limits),
      options: checkTrainOptions(v.options, `${field}.options`, ctx.limits),
      deadlineUnixMs: deadline ?? 0,
      ...(dp ? { dp } : {}),
      ...(marginals
        ? { marginals: { weight: marginals.weight, noiseMultiplier: marginals.noiseMultiplier, ...(marginals.pooledPrevalence ? { pooledPrevalence: codeVectorBytes(marginals.pooledPrevalence) } : {}), ...(marginals.correctBatchMeans ? { correctBatchMeans: true } : {}) } }
        : {}),
      ...(secureAggregation ? { secureAggregation } : {}),
    }).finish();
    const tensors = weightSetToWire(v.weights, `${field}.weights`, ctx);
    return { head, trailing: { kind: 'weights', key: WEIGHTS_KEY, tensors } };
  },
  decode(w, ctx, field): TrainTask {
    const task: TrainTask = {
      runId: checkId(w.runId, `${field}.runId`, ctx.limits),
      round: checkRound(w.round, `${field}.round`),
      phase: phaseCodec.fromWire(w.phase, `${field}.phase`),
      modelFamily: checkId(w.modelFamily, `${field}.modelFamily`, ctx.limits),
      options: checkTrainOptions(w.options, `${field}.options`, ctx.limits),
      // Weights last: the expensive check runs only once the cheap ones passed.
      weights: weightSetFromWire(w.weights, `${field}.weights`, ctx),
    };
    const deadline = checkDeadline(w.deadlineUnixMs, `${field}.deadlineUnixMs`);
    if (deadline !== undefined) task.deadlineUnixMs = deadline;
    const dp = checkDpSettings(w.dp, `${field}.dp`);
    if (dp) task.dp = dp;
    const marginals = checkMarginalMatching(w.marginals, `${field}.marginals`, dp !== undefined, ctx.limits);
    if (marginals) task.marginals = marginals;
    const secureAggregation = checkSecureAggregationSettings(w.secureAggregation, `${field}.secureAggregation`, ctx.limits);
    if (secureAggregation) task.secureAggregation = secureAggregation;
    return task;
  },
};

export const trainResultCodec: BodyCodec<'trainResult'> = {
  encode(v, ctx, field) {
    const privacy = checkPrivacySpent(v.privacy, `${field}.privacy`);
    const head = pb.TrainResult.encode({
      runId: checkId(v.runId, `${field}.runId`, ctx.limits),
      round: checkRound(v.round, `${field}.round`),
      phase: phaseCodec.toWire(v.phase, `${field}.phase`),
      recordCount: checkUint32(v.recordCount, `${field}.recordCount`, { min: 1 }),
      metrics: metricsToWire(v.metrics, `${field}.metrics`, ctx.limits),
      ...(privacy ? { privacy } : {}),
      ...(v.localSteps !== undefined ? { localSteps: checkUint32(v.localSteps, `${field}.localSteps`, { min: 1 }) } : {}),
    }).finish();
    const tensors = weightSetToWire(v.weights, `${field}.weights`, ctx);
    return { head, trailing: { kind: 'weights', key: WEIGHTS_KEY, tensors } };
  },
  decode(w, ctx, field): TrainResult {
    const privacy = checkPrivacySpent(w.privacy, `${field}.privacy`);
    return {
      runId: checkId(w.runId, `${field}.runId`, ctx.limits),
      round: checkRound(w.round, `${field}.round`),
      phase: phaseCodec.fromWire(w.phase, `${field}.phase`),
      // A FedAvg weight of 0 would divide by zero when every site sends one.
      recordCount: checkUint32(w.recordCount, `${field}.recordCount`, { min: 1 }),
      metrics: metricsFromWire(w.metrics, `${field}.metrics`, ctx.limits),
      ...(privacy ? { privacy } : {}),
      // Absent from a site that does not count its steps; 0 would make FedNova divide by zero.
      ...(w.localSteps != null ? { localSteps: checkUint32(w.localSteps, `${field}.localSteps`, { min: 1 }) } : {}),
      weights: weightSetFromWire(w.weights, `${field}.weights`, ctx),
    };
  },
};
