import { firstNonFinite, type NamedTensor, type ProtocolErrorCode } from '@fedsynth/protocol';
import { alignToLayout, compareLayouts, describeLayoutProblems, type LayoutProblem } from '../weights/weight-layout';
import { l2DistanceAligned, l2Norm } from './update-norm';

/** Why an update was refused; `wireCode` is the code the site receives in its Error reply. */
export type UpdateRejectionCode =
  | 'EMPTY_UPDATE'
  | 'MISSING_TENSOR'
  | 'EXTRA_TENSOR'
  | 'DUPLICATE_TENSOR'
  | 'SHAPE_MISMATCH'
  | 'BAD_DATA'
  | 'NON_FINITE'
  | 'NORM_EXCEEDED';

export interface UpdateRejection {
  ok: false;
  code: UpdateRejectionCode;
  wireCode: ProtocolErrorCode;
  /** Names what was wrong: tensors, shapes, element index, norms and the bound. */
  reason: string;
}

export interface UpdateAcceptance {
  ok: true;
  /** ‖w − g‖₂ */
  updateNorm: number;
  /** ‖g‖₂ */
  globalNorm: number;
}

export type UpdateVerdict = UpdateAcceptance | UpdateRejection;

export interface ValidateUpdateOptions {
  /**
   * Largest accepted ‖w − g‖₂ / max(‖g‖₂, ε). Default 4: generous enough for the large
   * honest steps of early rounds from a random initialisation, while refusing garbage and
   * grossly scaled updates (model-replacement attacks boost by about the number of sites).
   * Subtler attacks are the robust strategies' job (median, trimmed mean).
   */
  maxRelativeNorm?: number;
  /** Floor ε of ‖g‖₂, so a (near-)zero global model does not refuse every update. Default 1. */
  epsilon?: number;
  /** ‖g‖₂ if already known: it is the same for every site in a round. */
  globalNorm?: number;
  /** How the update is named in reasons. Default `the update`. */
  label?: string;
}

export const DEFAULT_MAX_RELATIVE_NORM = 4;
export const DEFAULT_NORM_EPSILON = 1;

const GLOBAL = 'the global weights';

const LAYOUT_CODES: ReadonlyArray<[LayoutProblem['kind'], UpdateRejectionCode, ProtocolErrorCode]> = [
  ['missing', 'MISSING_TENSOR', 'UPDATE_REJECTED'],
  ['extra', 'EXTRA_TENSOR', 'UPDATE_REJECTED'],
  ['duplicate', 'DUPLICATE_TENSOR', 'DUPLICATE_NAME'],
  ['shape', 'SHAPE_MISMATCH', 'SHAPE_MISMATCH'],
  ['length', 'SHAPE_MISMATCH', 'SHAPE_MISMATCH'],
];

function reject(code: UpdateRejectionCode, wireCode: ProtocolErrorCode, reason: string): UpdateRejection {
  return { ok: false, code, wireCode, reason };
}

/**
 * Checks a site's returned weights against the global weights before they may be
 * aggregated: same tensor names (missing and extra ones named), same shapes, float32
 * data, finite values, and ‖w − g‖₂ ≤ maxRelativeNorm · max(‖g‖₂, ε). Returns a typed
 * verdict and never throws for bad input, so the caller can answer the site and audit
 * the rejection.
 */
export function validateUpdate(
  update: readonly NamedTensor[],
  global: readonly NamedTensor[],
  options: ValidateUpdateOptions = {},
): UpdateVerdict {
  const label = options.label ?? 'the update';
  const maxRelativeNorm = options.maxRelativeNorm ?? DEFAULT_MAX_RELATIVE_NORM;
  const epsilon = options.epsilon ?? DEFAULT_NORM_EPSILON;

  if (!Array.isArray(update) || update.length === 0) return reject('EMPTY_UPDATE', 'MISSING_FIELD', `${label} holds no tensors`);
  for (const t of update) {
    if (!(t.data instanceof Float32Array)) {
      return reject('BAD_DATA', 'INVALID_VALUE', `tensor ${JSON.stringify(t.name)} in ${label} is not float32 data`);
    }
  }

  const problems = compareLayouts(global, update);
  if (problems.length > 0) {
    const [, code, wireCode] = LAYOUT_CODES.find(([kind]) => problems.some((p) => p.kind === kind))!;
    return reject(code, wireCode, describeLayoutProblems(problems, { expected: GLOBAL, actual: label }));
  }

  for (const t of update) {
    const bad = firstNonFinite(t.data);
    if (bad >= 0) {
      return reject('NON_FINITE', 'NON_FINITE', `tensor ${JSON.stringify(t.name)} in ${label} holds ${t.data[bad]} at element ${bad}`);
    }
  }

  const aligned = alignToLayout(global, update, { expected: GLOBAL, actual: label });
  const updateNorm = l2DistanceAligned(aligned, global.map((t) => t.data));
  const globalNorm = options.globalNorm ?? l2Norm(global);
  const bound = maxRelativeNorm * Math.max(globalNorm, epsilon);
  if (!(updateNorm <= bound)) {
    return reject(
      'NORM_EXCEEDED',
      'UPDATE_REJECTED',
      `${label} moves the weights by ‖w − g‖₂ = ${updateNorm.toPrecision(4)}, above the bound ` +
        `${maxRelativeNorm} × max(‖g‖₂ = ${globalNorm.toPrecision(4)}, ε = ${epsilon}) = ${bound.toPrecision(4)}`,
    );
  }
  return { ok: true, updateNorm, globalNorm };
}
