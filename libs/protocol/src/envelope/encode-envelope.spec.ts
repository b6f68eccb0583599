import { fedsynth } from '../generated/fedsynth';
import { ProtocolError, type ProtocolErrorCode } from '../errors/protocol-error';
import type { Envelope, TrainResult } from '../messages/types';
import type { WeightSet } from '../tensors/weight-set';
import { createEnvelope } from './create-envelope';
import { decodeEnvelope } from './decode-envelope';
import { encodeEnvelope, type EncodeOptions } from './encode-envelope';

const pb = fedsynth.v1;

function result(weights: WeightSet, overrides: Partial<TrainResult> = {}): Envelope {
  return createEnvelope('trainResult', { runId: 'run', round: 0, phase: 'gan', recordCount: 5, weights, metrics: {}, ...overrides });
}

function codeOf(envelope: Envelope, options?: EncodeOptions): ProtocolErrorCode | 'none' {
  try {
    encodeEnvelope(envelope, options);
    return 'none';
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return error.code;
  }
}

const w = (data: number[], shape = [data.length], name = 'w') => ({ name, shape, data: new Float32Array(data) });

describe('encodeEnvelope', () => {
  it('checks what the receiver will check, before sending', () => {
    expect(codeOf(result([w([1, NaN])]), { checkFinite: true })).toBe('NON_FINITE');
    expect(codeOf(result([w([1, 2], [3])]))).toBe('SHAPE_MISMATCH');
    expect(codeOf(result([w([1]), w([2])]))).toBe('DUPLICATE_NAME');
    expect(codeOf(result([]))).toBe('MISSING_FIELD');
    expect(codeOf(result([w([1])], { recordCount: 0 }))).toBe('MISSING_FIELD');
    expect(codeOf(result([w([1])], { localSteps: 0 }))).toBe('MISSING_FIELD');
    expect(codeOf(result([w([1])], { localSteps: 2.5 }))).toBe('INVALID_VALUE');
    expect(codeOf(result([w([1])], { round: -1 }))).toBe('INVALID_VALUE');
    expect(codeOf(result([w([1])], { round: 1.5 }))).toBe('INVALID_VALUE');
    expect(codeOf(result([w([1])], { phase: 'warmup' as never }))).toBe('INVALID_VALUE');
    expect(codeOf(result([w([1])], { metrics: { loss: Infinity } }))).toBe('NON_FINITE');
    expect(codeOf(result([w([1])]), { weightDtype: 'bfloat16' as never })).toBe('UNKNOWN_DTYPE');
    expect(codeOf({ ...result([w([1])]), body: { kind: 'nope', value: {} } } as never)).toBe('INVALID_VALUE');
    expect(codeOf(result([w([1, 2, 3])]), { limits: { maxMessageBytes: 20 } })).toBe('TOO_LARGE');
  });

  it('names the message in its errors', () => {
    const envelope = result([w([NaN])]);
    expect(() => encodeEnvelope(envelope, { checkFinite: true })).toThrow(expect.objectContaining({ messageId: envelope.messageId }));
  });

  it('leaves the NaN scan to the receiver by default', () => {
    const bytes = encodeEnvelope(result([w([1, NaN])]));
    expect(() => decodeEnvelope(bytes)).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
  });

  it('halves weights with float16, keeping float32 for a tensor float16 cannot hold', () => {
    const weights = [w(Array.from({ length: 1000 }, (_, i) => i / 1000), [1000], 'small'), w([1, 1e6], [2], 'huge')];
    const full = encodeEnvelope(result(weights));
    const half = encodeEnvelope(result(weights), { weightDtype: 'float16' });
    expect(half.length).toBeLessThan(full.length * 0.6);
    const tensors = pb.Envelope.decode(half).trainResult!.weights!.tensors!;
    expect(tensors.map((t) => t.dtype)).toEqual([pb.DType.DTYPE_FLOAT16, pb.DType.DTYPE_FLOAT32]);
    const decoded = decodeEnvelope(half);
    if (decoded.body.kind !== 'trainResult') throw new Error('kind');
    expect(Array.from(decoded.body.value.weights[1]!.data)).toEqual([1, 1e6]);
  });
});
