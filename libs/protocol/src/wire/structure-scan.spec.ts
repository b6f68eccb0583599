import { fedsynth } from '../generated/fedsynth';
import { ProtocolError, type ProtocolErrorCode } from '../errors/protocol-error';
import { decodeEnvelope, type DecodeOptions } from '../envelope/decode-envelope';
import { DEFAULT_LIMITS } from '../limits';
import { scanStructure, structureLimits } from './structure-scan';

const pb = fedsynth.v1;

function envelope(body: fedsynth.v1.Envelope.$Properties): Uint8Array {
  return pb.Envelope.encode({ protocolVersion: 1, messageId: 'm', ...body }).finish();
}

function refusal(bytes: Uint8Array, options?: DecodeOptions): ProtocolErrorCode | 'decoded' {
  try {
    decodeEnvelope(bytes, options);
    return 'decoded';
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return error.code;
  }
}

const weights = (tensors: fedsynth.v1.Tensor.$Properties[]) => ({
  runId: 'r',
  round: 1,
  phase: pb.Phase.PHASE_GAN,
  recordCount: 1,
  weights: { tensors },
});

describe('structure scan (before decoding)', () => {
  it('refuses a flood of empty tensors without decoding them', () => {
    // 200,000 empty tensors: 400 KB on the wire, ~20 MB of objects if decoded.
    const bytes = envelope({ trainResult: weights(Array.from({ length: 200_000 }, () => ({}))) });
    const error = (() => {
      try {
        scanStructure(bytes, structureLimits(DEFAULT_LIMITS));
      } catch (e) {
        return e as ProtocolError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('TOO_LARGE');
    expect(error?.message).toContain('more than 1024 tensors');
  });

  it('bounds repeated elements of every message it walks', () => {
    const codes = Array.from({ length: 300 }, (_, i) => String(i));
    const summary = envelope({ dataSummary: { recordCount: 1, recordUnit: 1, codeLevel: 1, codes } });
    expect(refusal(summary, { limits: { maxCodes: 100, maxMetrics: 10 } })).toBe('TOO_LARGE');
    expect(refusal(summary)).toBe('decoded');

    const extra = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const task = envelope({
      trainTask: {
        ...weights([{ name: 'w', dtype: 1, shape: [1], data: new Uint8Array(4) }]),
        modelFamily: 'medgan',
        options: { localEpochs: 1, batchSize: 1, extra },
      },
    });
    expect(refusal(task, { limits: { maxCodes: 100, maxMetrics: 10 } })).toBe('TOO_LARGE');
  });

  it('bounds tensor headers, however the shape is written', () => {
    // An unpacked shape of 100 one-byte fields: valid protobuf, but no tensor needs it.
    const tensor = pb.Tensor.encode({ name: 'w', dtype: 1 }).finish();
    const dims = new Uint8Array(200).map((_, i) => (i % 2 === 0 ? 0x18 : 0x01)); // field 3 varint 1
    const data = pb.Tensor.encode({ data: new Uint8Array(4) }).finish();
    const tensorBytes = Buffer.concat([tensor, dims, data]);
    const weightSet = Buffer.concat([Buffer.from([0x0a]), varint(tensorBytes.length), tensorBytes]);
    const header = pb.TrainResult.encode({ runId: 'r', round: 1, phase: 2, recordCount: 1 }).finish();
    const body = Buffer.concat([header, Buffer.from([0x7a]), varint(weightSet.length), weightSet]); // field 15
    const bytes = Buffer.concat([envelope({}), Buffer.from([0x82, 0x01]), varint(body.length), body]); // field 16
    expect(refusal(bytes)).toBe('TOO_LARGE');
  });

  it('counts only structure, not weights, against maxStructureBytes', () => {
    const big = envelope({ trainResult: weights([{ name: 'w', dtype: 1, shape: [65536], data: new Uint8Array(262_144) }]) });
    expect(refusal(big, { limits: { maxStructureBytes: 256 } })).toBe('decoded');
    const tiny = weights([{ name: 'w', dtype: 1, shape: [1], data: new Uint8Array(4) }]);
    const chatty = envelope({ trainResult: { ...tiny, metrics: { ['x'.repeat(200)]: 1 } } });
    expect(refusal(chatty, { limits: { maxStructureBytes: 128 } })).toBe('TOO_LARGE');
    expect(refusal(chatty)).toBe('decoded');
  });

  it('refuses broken framing and protobuf groups as MALFORMED', () => {
    expect(refusal(new Uint8Array([0x0a, 0x05, 0x01]))).toBe('MALFORMED'); // length past the end
    expect(refusal(new Uint8Array([0x0b, 0x0c]))).toBe('MALFORMED'); // group start/end
    expect(refusal(new Uint8Array([0x00, 0x01]))).toBe('MALFORMED'); // field 0
    expect(refusal(new Uint8Array([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe('MALFORMED');
  });
});

function varint(value: number): Buffer {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  return Buffer.from(out);
}
