import { fedsynth } from '../generated/fedsynth';
import { ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';
import { checkId } from '../messages/field-checks';
import type { DecodeContext, EncodeContext } from '../messages/codec-context';
import { dtypeCodec } from '../messages/enum-codecs';
import type { DType } from '../messages/types';
import type { EncodedTensor } from '../wire/spliced-encoder';
import { float32FromLittleEndian, littleEndianBytes, uint16FromLittleEndian } from './byte-order';
import { firstNonFinite, firstNonFiniteHalf } from './finite';
import { float16ToFloat32, float32ToFiniteFloat16 } from './float16';
import type { NamedTensor } from './weight-set';

const pb = fedsynth.v1;

const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { float32: 4, float16: 2 };

/**
 * Element count of a shape after checking it: rank within the limit, every dimension a
 * positive integer, and the product within `maxElements` (checked as it grows, so a
 * hostile shape cannot overflow the arithmetic).
 */
export function checkShape(
  shape: readonly number[] | null | undefined,
  field: string,
  limits: ProtocolLimits,
  maxElements: number,
): number {
  const dims = shape ?? [];
  if (!Array.isArray(dims)) throw new ProtocolError('INVALID_VALUE', 'shape is not a list', { field });
  if (dims.length > limits.maxRank) {
    throw new ProtocolError('TOO_LARGE', `rank ${dims.length}, limit ${limits.maxRank}`, { field });
  }
  let elements = 1;
  for (const dim of dims) {
    if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > 0xffffffff) {
      throw new ProtocolError('SHAPE_MISMATCH', `dimension ${String(dim)} in [${dims.join(', ')}] is not a positive integer`, {
        field,
      });
    }
    elements *= dim;
    if (elements > maxElements) {
      throw new ProtocolError('TOO_LARGE', `shape [${dims.join(', ')}] exceeds the ${maxElements}-element budget`, { field });
    }
  }
  return elements;
}

function nonFiniteError(field: string, index: number, value: number): ProtocolError {
  return new ProtocolError('NON_FINITE', `element ${index} is ${value}`, { field });
}

/** Checks a tensor and encodes its header; data stays a view over the Float32Array. */
export function tensorToWire(tensor: NamedTensor, field: string, ctx: EncodeContext, maxElements: number): EncodedTensor {
  const name = checkId(tensor.name, `${field}.name`, ctx.limits);
  if (!(tensor.data instanceof Float32Array)) {
    throw new ProtocolError('INVALID_VALUE', 'data must be a Float32Array', { field: `${field}.data` });
  }
  const elements = checkShape(tensor.shape, `${field}.shape`, ctx.limits, maxElements);
  if (elements !== tensor.data.length) {
    throw new ProtocolError(
      'SHAPE_MISMATCH',
      `shape [${tensor.shape.join(', ')}] holds ${elements} elements, data has ${tensor.data.length}`,
      { field },
    );
  }
  if (ctx.checkFinite) {
    const bad = firstNonFinite(tensor.data);
    if (bad >= 0) throw nonFiniteError(`${field}.data`, bad, tensor.data[bad]!);
  }

  let dtype: DType = 'float32';
  let data = littleEndianBytes(tensor.data, ctx.hostIsLittleEndian);
  if (ctx.weightDtype === 'float16') {
    // Out-of-range (or non-finite) values would arrive as Infinity: keep this one float32.
    const halves = float32ToFiniteFloat16(tensor.data);
    if (halves) {
      dtype = 'float16';
      data = littleEndianBytes(halves, ctx.hostIsLittleEndian);
    }
  }
  const head = pb.Tensor.encode({
    name,
    dtype: dtypeCodec.toWire(dtype, `${field}.dtype`),
    shape: tensor.shape,
  }).finish();
  return { head, data };
}

/**
 * A validated NamedTensor from its wire form: known dtype, shape within limits, byte
 * length = elements × element size, finite values. float32 data is a view over the
 * received bytes when aligned (see byte-order.ts); float16 is widened into a new array.
 */
export function tensorFromWire(
  wire: fedsynth.v1.Tensor.$Properties,
  field: string,
  ctx: DecodeContext,
  maxElements: number,
): NamedTensor {
  const name = checkId(wire.name, `${field}.name`, ctx.limits);
  const dtype = dtypeCodec.fromWire(wire.dtype, `${field}.dtype`);
  const shape = wire.shape ?? [];
  const elements = checkShape(shape, `${field}.shape`, ctx.limits, maxElements);
  const bytes = wire.data ?? new Uint8Array(0);
  const expected = elements * BYTES_PER_ELEMENT[dtype];
  if (bytes.length !== expected) {
    throw new ProtocolError(
      'SHAPE_MISMATCH',
      `${dtype} shape [${shape.join(', ')}] needs ${expected} bytes, got ${bytes.length}`,
      { field: `${field}.data` },
    );
  }

  let data: Float32Array;
  if (dtype === 'float32') {
    data = float32FromLittleEndian(bytes, { copy: ctx.copyTensors, hostIsLittleEndian: ctx.hostIsLittleEndian });
    const bad = firstNonFinite(data);
    if (bad >= 0) throw nonFiniteError(`${field}.data`, bad, data[bad]!);
  } else {
    const halves = uint16FromLittleEndian(bytes, ctx.hostIsLittleEndian);
    const bad = firstNonFiniteHalf(halves);
    if (bad >= 0) throw nonFiniteError(`${field}.data`, bad, float16ToFloat32(halves.subarray(bad, bad + 1))[0]!);
    data = float16ToFloat32(halves);
  }
  return { name, shape: Array.from(shape), data };
}
