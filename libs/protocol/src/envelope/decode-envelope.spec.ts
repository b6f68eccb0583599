import { fedsynth } from '../generated/fedsynth';
import { ProtocolError, type ProtocolErrorCode } from '../errors/protocol-error';
import { float32ToFloat16 } from '../tensors/float16';
import { vocabularyDigest } from '../vocabulary/vocabulary-digest';
import { decodeEnvelope, type DecodeOptions } from './decode-envelope';

const pb = fedsynth.v1;
type WireEnvelope = fedsynth.v1.Envelope.$Properties;
type WireTensor = fedsynth.v1.Tensor.$Properties;

function f32(...values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function tensor(overrides: Partial<WireTensor> = {}): WireTensor {
  return { name: 'w', dtype: pb.DType.DTYPE_FLOAT32, shape: [2], data: f32(1, 2), ...overrides };
}

/** A valid TrainResult envelope on the wire, with fields replaced. */
function trainResult(result: Partial<fedsynth.v1.TrainResult.$Properties> = {}, envelope: Partial<WireEnvelope> = {}) {
  return pb.Envelope.encode({
    protocolVersion: 1,
    messageId: 'msg-1',
    trainResult: { runId: 'run', round: 4, phase: pb.Phase.PHASE_GAN, recordCount: 10, weights: { tensors: [tensor()] }, ...result },
    ...envelope,
  }).finish();
}

function failure(bytes: unknown, options?: DecodeOptions): { code: ProtocolErrorCode; message: string; messageId?: string } {
  try {
    decodeEnvelope(bytes as Uint8Array, options);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { code: error.code, message: error.message, ...(error.messageId ? { messageId: error.messageId } : {}) };
  }
  throw new Error('decoded without error');
}

describe('decodeEnvelope validation', () => {
  it('accepts the valid baseline', () => {
    const env = decodeEnvelope(trainResult());
    expect(env.body.kind).toBe('trainResult');
  });

  it('reads a TrainResult\'s local step count when present and leaves it out when absent', () => {
    const withSteps = decodeEnvelope(trainResult({ localSteps: 229 })).body;
    const without = decodeEnvelope(trainResult()).body;
    expect(withSteps.kind === 'trainResult' && withSteps.value.localSteps).toBe(229);
    expect(without.kind === 'trainResult' && 'localSteps' in without.value).toBe(false);
  });

  it.each<[string, () => unknown, ProtocolErrorCode, RegExp | undefined]>([
    ['garbage', () => new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 'MALFORMED', undefined],
    ['a truncated message', () => trainResult().subarray(0, 20), 'MALFORMED', undefined],
    ['a string instead of bytes', () => 'hello', 'MALFORMED', undefined],
    ['invalid UTF-8 in a string', () => Buffer.from([0x12, 0x02, 0xc3, 0x28]), 'MALFORMED', undefined],
    ['no version', () => trainResult({}, { protocolVersion: 0 }), 'MISSING_FIELD', /protocolVersion/],
    ['another version', () => trainResult({}, { protocolVersion: 2 }), 'UNSUPPORTED_VERSION', /v2.*v1/],
    ['no message id', () => trainResult({}, { messageId: '' }), 'MISSING_FIELD', /messageId/],
    ['a message id with spaces', () => trainResult({}, { messageId: 'a b' }), 'INVALID_VALUE', undefined],
    ['no body', () => pb.Envelope.encode({ protocolVersion: 1, messageId: 'm' }).finish(), 'MISSING_FIELD', /body/],
    ['no run id', () => trainResult({ runId: '' }), 'MISSING_FIELD', /trainResult\.runId/],
    ['no round', () => trainResult({ round: null }), 'MISSING_FIELD', /round/],
    ['no phase', () => trainResult({ phase: 0 }), 'MISSING_FIELD', /phase/],
    ['an unknown phase', () => trainResult({ phase: 9 as fedsynth.v1.Phase }), 'INVALID_VALUE', /phase/],
    ['zero records', () => trainResult({ recordCount: 0 }), 'MISSING_FIELD', /recordCount/],
    ['zero local steps (FedNova would divide by it)', () => trainResult({ localSteps: 0 }), 'MISSING_FIELD', /trainResult\.localSteps/],
    ['no weights', () => trainResult({ weights: null }), 'MISSING_FIELD', /weights/],
    ['an empty weight set', () => trainResult({ weights: { tensors: [] } }), 'MISSING_FIELD', /weights/],
    ['a tensor without dtype', () => trainResult({ weights: { tensors: [tensor({ dtype: 0 })] } }), 'MISSING_FIELD', /dtype/],
    ['an unknown dtype', () => trainResult({ weights: { tensors: [tensor({ dtype: 7 as fedsynth.v1.DType })] } }), 'UNKNOWN_DTYPE', /weights\[0\]\.dtype/],
    ['bytes ≠ shape × 4', () => trainResult({ weights: { tensors: [tensor({ shape: [3] })] } }), 'SHAPE_MISMATCH', /needs 12 bytes, got 8/],
    ['a zero dimension', () => trainResult({ weights: { tensors: [tensor({ shape: [0, 2] })] } }), 'SHAPE_MISMATCH', undefined],
    ['rank 5', () => trainResult({ weights: { tensors: [tensor({ shape: [1, 1, 1, 1, 2] })] } }), 'TOO_LARGE', /rank 5/],
    [
      'a shape beyond the budget',
      () => trainResult({ weights: { tensors: [tensor({ shape: [65536, 65536, 65536] })] } }),
      'TOO_LARGE',
      undefined,
    ],
    ['NaN', () => trainResult({ weights: { tensors: [tensor({ data: f32(1, NaN) })] } }), 'NON_FINITE', /element 1 is NaN/],
    ['Infinity', () => trainResult({ weights: { tensors: [tensor({ data: f32(-Infinity, 0) })] } }), 'NON_FINITE', undefined],
    [
      'a float16 infinity',
      () =>
        trainResult({
          weights: { tensors: [tensor({ dtype: pb.DType.DTYPE_FLOAT16, data: new Uint8Array(float32ToFloat16(new Float32Array([1, Infinity])).buffer) })] },
        }),
      'NON_FINITE',
      undefined,
    ],
    ['duplicate tensor names', () => trainResult({ weights: { tensors: [tensor(), tensor()] } }), 'DUPLICATE_NAME', undefined],
    ['a tensor without name', () => trainResult({ weights: { tensors: [tensor({ name: '' })] } }), 'MISSING_FIELD', undefined],
    ['a NaN metric', () => trainResult({ metrics: { loss: NaN } }), 'NON_FINITE', /metrics\.loss/],
    ['a bad metric name', () => trainResult({ metrics: { '1bad': 1 } }), 'INVALID_VALUE', undefined],
    [
      'a vocabulary whose digest does not match',
      () =>
        pb.Envelope.encode({
          protocolVersion: 1,
          messageId: 'm',
          vocabularyProposal: { runId: 'r', codes: ['401', '428'], source: 1, codeLevel: 1, digest: vocabularyDigest(['401']) },
        }).finish(),
      'DIGEST_MISMATCH',
      undefined,
    ],
    [
      'duplicate codes',
      () =>
        pb.Envelope.encode({
          protocolVersion: 1,
          messageId: 'm',
          dataSummary: { recordCount: 3, recordUnit: 1, codeLevel: 1, codes: ['401', '401'] },
        }).finish(),
      'DUPLICATE_NAME',
      undefined,
    ],
    [
      'a chunk index beyond its total',
      () =>
        pb.Envelope.encode({
          protocolVersion: 1,
          messageId: 'm',
          chunk: { messageId: 'x', index: 3, total: 3, totalBytes: 10, digest: new Uint8Array(32), data: new Uint8Array(1) },
        }).finish(),
      'CHUNK_MISMATCH',
      undefined,
    ],
  ])('refuses %s', (_, bytes, code, message) => {
    const error = failure(bytes());
    expect(error.code).toBe(code);
    if (message) expect(error.message).toMatch(message);
  });

  it('names the envelope in errors when its id was readable', () => {
    expect(failure(trainResult({ recordCount: 0 })).messageId).toBe('msg-1');
    expect(failure(trainResult({}, { protocolVersion: 3 })).messageId).toBe('msg-1');
  });

  it('applies configurable limits', () => {
    const two = { tensors: [tensor(), tensor({ name: 'b' })] };
    expect(failure(trainResult({ weights: two }), { limits: { maxTensors: 1 } }).code).toBe('TOO_LARGE');
    expect(failure(trainResult({ weights: two }), { limits: { maxWeightBytes: 12 } }).code).toBe('TOO_LARGE');
    expect(failure(trainResult(), { limits: { maxMessageBytes: 10 } }).code).toBe('TOO_LARGE');
    expect(failure(trainResult({ weights: { tensors: [tensor({ shape: [1, 2] })] } }), { limits: { maxRank: 1 } }).code).toBe(
      'TOO_LARGE',
    );
  });

  it('accepts another supported version when configured (a transition period)', () => {
    const env = decodeEnvelope(trainResult({}, { protocolVersion: 2 }), { supportedVersions: [1, 2] });
    expect(env.protocolVersion).toBe(2);
  });

  it('skips fields it does not know (a newer peer adding optional fields)', () => {
    const unknownField = new Uint8Array([0xf8, 0x07, 0x2a]); // field 127, varint 42
    const bytes = Buffer.concat([trainResult(), unknownField]);
    expect(decodeEnvelope(bytes).body.kind).toBe('trainResult');
  });

  it('keeps an Error reply with a code it does not know', () => {
    const bytes = pb.Envelope.encode({ protocolVersion: 1, messageId: 'm', error: { code: 999 as fedsynth.v1.ErrorCode, reason: 'new' } }).finish();
    expect(decodeEnvelope(bytes).body).toEqual({ kind: 'error', value: { code: 'UNKNOWN', reason: 'new' } });
  });

  it('accepts an ArrayBuffer', () => {
    const bytes = trainResult();
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    expect(decodeEnvelope(copy.buffer).body.kind).toBe('trainResult');
  });
});
