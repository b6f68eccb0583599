import type { fedsynth } from '../generated/fedsynth';
import { ProtocolError } from '../errors/protocol-error';
import type { DecodeContext, EncodeContext } from '../messages/codec-context';
import type { EncodedTensor } from '../wire/spliced-encoder';
import { tensorFromWire, tensorToWire } from './tensor-codec';
import type { NamedTensor, WeightSet } from './weight-set';

/**
 * Weight sets in both directions: at least one tensor, at most `maxTensors`, unique names,
 * and all tensors together within `maxWeightBytes` (as float32), each tensor checked by
 * tensor-codec.ts. The element budget shrinks tensor by tensor, so a hostile set is
 * refused before its oversized tensor is converted.
 */

function checkCount(count: number, field: string, maxTensors: number): void {
  if (count === 0) throw new ProtocolError('MISSING_FIELD', 'a weight set needs at least one tensor', { field });
  if (count > maxTensors) throw new ProtocolError('TOO_LARGE', `${count} tensors, limit ${maxTensors}`, { field });
}

function checkUniqueName(seen: Set<string>, name: string, field: string): void {
  if (seen.has(name)) throw new ProtocolError('DUPLICATE_NAME', `tensor name ${JSON.stringify(name)} appears twice`, { field });
  seen.add(name);
}

export function weightSetToWire(weights: readonly NamedTensor[] | null | undefined, field: string, ctx: EncodeContext): EncodedTensor[] {
  if (!Array.isArray(weights)) throw new ProtocolError('MISSING_FIELD', 'required', { field });
  checkCount(weights.length, field, ctx.limits.maxTensors);
  let budget = Math.floor(ctx.limits.maxWeightBytes / 4);
  const seen = new Set<string>();
  return weights.map((tensor, i) => {
    const tensorField = `${field}[${i}]`;
    const encoded = tensorToWire(tensor, tensorField, ctx, budget);
    checkUniqueName(seen, tensor.name, `${tensorField}.name`);
    budget -= tensor.data.length;
    return encoded;
  });
}

export function weightSetFromWire(
  wire: fedsynth.v1.WeightSet.$Properties | null | undefined,
  field: string,
  ctx: DecodeContext,
): WeightSet {
  if (!wire) throw new ProtocolError('MISSING_FIELD', 'required', { field });
  const tensors = wire.tensors ?? [];
  checkCount(tensors.length, field, ctx.limits.maxTensors);
  let budget = Math.floor(ctx.limits.maxWeightBytes / 4);
  const seen = new Set<string>();
  return tensors.map((t, i) => {
    const tensorField = `${field}[${i}]`;
    const tensor = tensorFromWire(t, tensorField, ctx, budget);
    checkUniqueName(seen, tensor.name, `${tensorField}.name`);
    budget -= tensor.data.length;
    return tensor;
  });
}
