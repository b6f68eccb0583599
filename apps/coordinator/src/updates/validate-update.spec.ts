import { tensor } from '../__fixtures__/weights';
import { l2DistanceAligned, l2Norm } from './update-norm';
import { validateUpdate } from './validate-update';

const global = [tensor('k', [2, 2], [3, 0, 0, 4]), tensor('b', [1], [0])]; // ‖g‖ = 5

describe('update norms', () => {
  it('computes ‖x‖ and ‖a − b‖ by hand', () => {
    expect(l2Norm(global)).toBe(5);
    expect(l2DistanceAligned([Float32Array.from([1, 1])], [Float32Array.from([4, 5])])).toBe(5);
  });
});

describe('validateUpdate', () => {
  it('accepts a matching, finite, bounded update and reports its norms', () => {
    const update = [tensor('b', [1], [0]), tensor('k', [2, 2], [3, 0, 3, 4])];

    expect(validateUpdate(update, global)).toEqual({ ok: true, updateNorm: 3, globalNorm: 5 });
  });

  it('names missing and extra tensors', () => {
    const verdict = validateUpdate([tensor('k', [2, 2], [0, 0, 0, 0]), tensor('extra', [1], [0])], global, { label: 'site "h1"\'s update' });

    expect(verdict).toEqual({
      ok: false,
      code: 'MISSING_TENSOR',
      wireCode: 'UPDATE_REJECTED',
      reason: 'site "h1"\'s update lacks "b", present in the global weights; site "h1"\'s update has "extra", absent from the global weights',
    });
    expect(validateUpdate([...global, tensor('x', [1], [0])], global)).toMatchObject({ code: 'EXTRA_TENSOR' });
  });

  it('names both shapes of a reshaped tensor, and a length that contradicts its shape', () => {
    expect(validateUpdate([tensor('k', [4], [3, 0, 0, 4]), tensor('b', [1], [0])], global)).toEqual({
      ok: false,
      code: 'SHAPE_MISMATCH',
      wireCode: 'SHAPE_MISMATCH',
      reason: 'tensor "k" has shape [2, 2] in the global weights but [4] in the update',
    });
    const short = [{ name: 'k', shape: [2, 2], data: new Float32Array(3) }, tensor('b', [1], [0])];
    expect(validateUpdate(short, global)).toMatchObject({ code: 'SHAPE_MISMATCH', reason: 'tensor "k" in the update has shape [2, 2] (4 values) but holds 3' });
  });

  it('refuses duplicates, empty updates and non-float32 data', () => {
    expect(validateUpdate([...global, tensor('b', [1], [0])], global)).toMatchObject({ code: 'DUPLICATE_TENSOR', wireCode: 'DUPLICATE_NAME' });
    expect(validateUpdate([], global)).toMatchObject({ code: 'EMPTY_UPDATE', reason: 'the update holds no tensors' });
    const doubles = [{ name: 'k', shape: [2, 2], data: new Float64Array(4) as unknown as Float32Array }, tensor('b', [1], [0])];
    expect(validateUpdate(doubles, global)).toMatchObject({ code: 'BAD_DATA', reason: 'tensor "k" in the update is not float32 data' });
  });

  it('names the tensor and element of a non-finite value', () => {
    expect(validateUpdate([tensor('k', [2, 2], [3, 0, NaN, 4]), tensor('b', [1], [0])], global)).toEqual({
      ok: false,
      code: 'NON_FINITE',
      wireCode: 'NON_FINITE',
      reason: 'tensor "k" in the update holds NaN at element 2',
    });
    expect(validateUpdate([tensor('k', [2, 2], [3, 0, 0, 4]), tensor('b', [1], [-Infinity])], global)).toMatchObject({
      reason: 'tensor "b" in the update holds -Infinity at element 0',
    });
  });

  it('refuses an update beyond maxRelativeNorm × max(‖g‖, ε), with the numbers', () => {
    const update = [tensor('k', [2, 2], [3, 0, 0, 4]), tensor('b', [1], [11])]; // ‖w − g‖ = 11

    expect(validateUpdate(update, global, { maxRelativeNorm: 2 })).toEqual({
      ok: false,
      code: 'NORM_EXCEEDED',
      wireCode: 'UPDATE_REJECTED',
      reason: 'the update moves the weights by ‖w − g‖₂ = 11.00, above the bound 2 × max(‖g‖₂ = 5.000, ε = 1) = 10.00',
    });
    expect(validateUpdate(update, global, { maxRelativeNorm: 2.2 })).toMatchObject({ ok: true });
    expect(validateUpdate(update, global)).toMatchObject({ ok: true }); // default bound 4 × 5 = 20
  });

  it('uses ε when the global weights are (near) zero', () => {
    const zero = [tensor('w', [2], [0, 0])];
    expect(validateUpdate([tensor('w', [2], [3, 4])], zero, { maxRelativeNorm: 1, epsilon: 5 })).toMatchObject({ ok: true });
    expect(validateUpdate([tensor('w', [2], [3, 4])], zero, { maxRelativeNorm: 1, epsilon: 4 })).toMatchObject({ code: 'NORM_EXCEEDED' });
  });

  it('uses a precomputed global norm when given', () => {
    expect(validateUpdate([tensor('k', [2, 2], [3, 0, 0, 4]), tensor('b', [1], [11])], global, { maxRelativeNorm: 1, globalNorm: 20 })).toMatchObject({
      ok: true,
      globalNorm: 20,
    });
  });
});
