import { fedsynth } from '../generated/fedsynth';
import type { ProtocolLimits } from '../limits';
import { weightSetFromWire, weightSetToWire } from '../tensors/weight-set-codec';
import { WEIGHTS_KEY } from '../wire/field-keys';
import type { BodyCodec } from './body-codec';
import { checkId, checkList, checkMetricName, checkMetrics, checkPresent, checkUint32 } from './field-checks';
import { checkDeadline, checkRound } from './training-codecs';
import type { EvalOptions, EvalResult, EvalTask } from './types';

const pb = fedsynth.v1;

function checkEvalOptions(
  v: fedsynth.v1.EvalOptions.$Properties | EvalOptions | null | undefined,
  field: string,
  limits: ProtocolLimits,
): EvalOptions {
  const options = checkPresent(v, field);
  return {
    sampleCount: checkUint32(options.sampleCount, `${field}.sampleCount`),
    seed: checkUint32(options.seed, `${field}.seed`),
    metrics: checkList(options.metrics, `${field}.metrics`, limits.maxMetrics, (name, f) => checkMetricName(name, f, limits)),
    extra: checkMetrics(options.extra, `${field}.extra`, limits),
  };
}

export const evalTaskCodec: BodyCodec<'evalTask'> = {
  encode(v, ctx, field) {
    const deadline = checkDeadline(v.deadlineUnixMs, `${field}.deadlineUnixMs`);
    const head = pb.EvalTask.encode({
      runId: checkId(v.runId, `${field}.runId`, ctx.limits),
      round: checkRound(v.round, `${field}.round`),
      modelFamily: checkId(v.modelFamily, `${field}.modelFamily`, ctx.limits),
      options: checkEvalOptions(v.options, `${field}.options`, ctx.limits),
      deadlineUnixMs: deadline ?? 0,
    }).finish();
    const tensors = weightSetToWire(v.weights, `${field}.weights`, ctx);
    return { head, trailing: { kind: 'weights', key: WEIGHTS_KEY, tensors } };
  },
  decode(w, ctx, field): EvalTask {
    const task: EvalTask = {
      runId: checkId(w.runId, `${field}.runId`, ctx.limits),
      round: checkRound(w.round, `${field}.round`),
      modelFamily: checkId(w.modelFamily, `${field}.modelFamily`, ctx.limits),
      options: checkEvalOptions(w.options, `${field}.options`, ctx.limits),
      weights: weightSetFromWire(w.weights, `${field}.weights`, ctx),
    };
    const deadline = checkDeadline(w.deadlineUnixMs, `${field}.deadlineUnixMs`);
    if (deadline !== undefined) task.deadlineUnixMs = deadline;
    return task;
  },
};

function checkEvalResult(v: fedsynth.v1.EvalResult.$Properties | EvalResult, field: string, limits: ProtocolLimits): EvalResult {
  return {
    runId: checkId(v.runId, `${field}.runId`, limits),
    round: checkRound(v.round, `${field}.round`),
    recordCount: checkUint32(v.recordCount, `${field}.recordCount`),
    metrics: checkMetrics(v.metrics, `${field}.metrics`, limits),
  };
}

export const evalResultCodec: BodyCodec<'evalResult'> = {
  encode(v, ctx, field) {
    return { head: pb.EvalResult.encode(checkEvalResult(v, field, ctx.limits)).finish() };
  },
  decode(w, ctx, field) {
    return checkEvalResult(w, field, ctx.limits);
  },
};
