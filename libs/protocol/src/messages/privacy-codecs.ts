import type { fedsynth } from '../generated/fedsynth';
import { ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';
import { checkCodeVector } from './code-vector';
import { checkUint32 } from './field-checks';
import type { DpSettings, MarginalMatching, PrivacySpent } from './types';

/**
 * The differential-privacy parts of TrainTask, TrainResult and DataSummary. Both are
 * optional sub-messages: absent means "no DP". When present every number must be usable:
 * a NaN, an infinity or a negative value is refused with the field's name, never read as
 * "no noise" (a σ of 0 would train without any guarantee while looking private).
 */

/** A finite double strictly above 0. */
function checkPositive(value: number | null | undefined, field: string): number {
  const n = value ?? 0;
  if (typeof n !== 'number') throw new ProtocolError('INVALID_VALUE', 'not a number', { field });
  if (!Number.isFinite(n)) throw new ProtocolError('NON_FINITE', `${n} is not finite`, { field });
  if (n === 0) throw new ProtocolError('MISSING_FIELD', 'required (> 0)', { field });
  if (n < 0) throw new ProtocolError('INVALID_VALUE', `${n} must be > 0`, { field });
  return n;
}

type WireDp = fedsynth.v1.DpSettings.$Properties | DpSettings;
type WireSpent = fedsynth.v1.PrivacySpent.$Properties | PrivacySpent;

/** DpSettings, or undefined when absent. */
export function checkDpSettings(v: WireDp | null | undefined, field: string): DpSettings | undefined {
  if (v === null || v === undefined) return undefined;
  return {
    noiseMultiplier: checkPositive(v.noiseMultiplier, `${field}.noiseMultiplier`),
    clipNorm: checkPositive(v.clipNorm, `${field}.clipNorm`),
    expectedBatchSize: checkUint32(v.expectedBatchSize, `${field}.expectedBatchSize`, { min: 1 }),
  };
}

type WireMarginals = fedsynth.v1.MarginalMatching.$Properties | MarginalMatching;

/**
 * MarginalMatching, or undefined when absent: weight > 0; noise multiplier finite and ≥ 0,
 * and > 0 when the task has dp (exact prevalences would void its guarantee).
 */
export function checkMarginalMatching(v: WireMarginals | null | undefined, field: string, withDp: boolean, limits: ProtocolLimits): MarginalMatching | undefined {
  if (v === null || v === undefined) return undefined;
  const weight = checkPositive(v.weight, `${field}.weight`);
  const noiseMultiplier = withDp ? checkPositive(v.noiseMultiplier, `${field}.noiseMultiplier`) : (v.noiseMultiplier ?? 0);
  if (!withDp) {
    if (typeof noiseMultiplier !== 'number' || Number.isNaN(noiseMultiplier)) throw new ProtocolError('INVALID_VALUE', 'not a number', { field: `${field}.noiseMultiplier` });
    if (!Number.isFinite(noiseMultiplier)) throw new ProtocolError('NON_FINITE', `${noiseMultiplier} is not finite`, { field: `${field}.noiseMultiplier` });
    if (noiseMultiplier < 0) throw new ProtocolError('INVALID_VALUE', `${noiseMultiplier} must be ≥ 0`, { field: `${field}.noiseMultiplier` });
  }
  const raw = v.pooledPrevalence ?? undefined;
  const correctBatchMeans = v.correctBatchMeans ?? false;
  if (typeof correctBatchMeans !== 'boolean') throw new ProtocolError('INVALID_VALUE', 'not a boolean', { field: `${field}.correctBatchMeans` });
  if (raw === undefined || raw.length === 0) {
    // The correction centres a site's real batch means on the pooled prevalences: without them there is nothing to centre on.
    if (correctBatchMeans) throw new ProtocolError('INVALID_VALUE', 'batch-mean correction needs the pooled prevalences', { field: `${field}.correctBatchMeans` });
    return { weight, noiseMultiplier };
  }
  // Pooled prevalences come from exact site counts, which dp runs never collect.
  if (withDp) throw new ProtocolError('INVALID_VALUE', 'pooled prevalences are for runs without dp', { field: `${field}.pooledPrevalence` });
  return { weight, noiseMultiplier, pooledPrevalence: checkCodeVector(raw, `${field}.pooledPrevalence`, limits, 1), ...(correctBatchMeans ? { correctBatchMeans } : {}) };
}

/** PrivacySpent, or undefined when absent: ε finite and ≥ 0, δ in (0, 1). */
export function checkPrivacySpent(v: WireSpent | null | undefined, field: string): PrivacySpent | undefined {
  if (v === null || v === undefined) return undefined;
  const epsilon = v.epsilon ?? 0;
  if (typeof epsilon !== 'number') throw new ProtocolError('INVALID_VALUE', 'not a number', { field: `${field}.epsilon` });
  if (!Number.isFinite(epsilon)) throw new ProtocolError('NON_FINITE', `${epsilon} is not finite`, { field: `${field}.epsilon` });
  if (epsilon < 0) throw new ProtocolError('INVALID_VALUE', `${epsilon} must be ≥ 0`, { field: `${field}.epsilon` });
  const delta = v.delta ?? 0;
  if (typeof delta !== 'number' || Number.isNaN(delta)) throw new ProtocolError('INVALID_VALUE', `${String(delta)} is not a number`, { field: `${field}.delta` });
  if (delta === 0) throw new ProtocolError('MISSING_FIELD', 'required (in (0, 1))', { field: `${field}.delta` });
  if (!(delta > 0 && delta < 1)) throw new ProtocolError('INVALID_VALUE', `${delta} is outside (0, 1)`, { field: `${field}.delta` });
  return { epsilon, delta, steps: checkUint32(v.steps, `${field}.steps`) };
}
