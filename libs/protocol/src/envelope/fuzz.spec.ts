import { ChunkAssembler } from '../chunking/chunk-assembler';
import { ProtocolError, type ProtocolErrorCode } from '../errors/protocol-error';
import { BODY_KINDS, type Chunk } from '../messages/types';
import { SeededRandom } from '../testing/seeded-random';
import { sampleEnvelope } from '../testing/sample-messages';
import { decodeEnvelope } from './decode-envelope';
import { encodeEnvelope } from './encode-envelope';

/**
 * Hostile-input fuzzing: every byte string either decodes to a valid envelope (which then
 * re-encodes: decode accepts nothing the encoder would refuse) or fails with a
 * ProtocolError. Any other exception, or a hang, fails the suite. Seeded: a failure
 * prints the seed and case to replay.
 */

const SEED = 20_240_601;

type Outcome = 'decoded' | ProtocolErrorCode;

function attempt(bytes: Uint8Array, label: string): Outcome {
  let envelope;
  try {
    envelope = decodeEnvelope(bytes);
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw new Error(`${label}: ${String(error)} is not a ProtocolError (bytes ${Buffer.from(bytes).toString('hex').slice(0, 200)})`);
  }
  try {
    encodeEnvelope(envelope);
  } catch (error) {
    throw new Error(`${label}: decoded but does not re-encode: ${String(error)}`);
  }
  return 'decoded';
}

function tally(outcomes: Outcome[]): Map<Outcome, number> {
  const counts = new Map<Outcome, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return counts;
}

/** A few random edits: flip, overwrite, insert or delete bytes. */
function mutate(bytes: Uint8Array, rng: SeededRandom): Uint8Array {
  const out = Array.from(bytes);
  const edits = rng.int(1, 4);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = rng.int(0, out.length - 1);
    switch (rng.int(0, 3)) {
      case 0:
        out[at] = out[at]! ^ (1 << rng.int(0, 7));
        break;
      case 1:
        out[at] = rng.int(0, 255);
        break;
      case 2:
        out.splice(at, 0, rng.int(0, 255));
        break;
      default:
        out.splice(at, rng.int(1, 8));
    }
  }
  return Uint8Array.from(out);
}

function pushVarint(out: number[], value: number): void {
  let v = value >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/**
 * Bytes that look like protobuf: random keys with plausible wire types, lengths and
 * nested messages, so the fuzzer gets past the first byte into the body decoders.
 */
function protobufLike(rng: SeededRandom, depth = 0): number[] {
  const out: number[] = [];
  const fields = rng.int(1, 8);
  for (let f = 0; f < fields; f++) {
    const field = rng.pick([1, 2, 3, 4, 5, 6, 15, rng.int(1, 40)]);
    const wireType = rng.pick([0, 0, 1, 2, 2, 2, 2, 3, 4, 5, 6, 7]);
    pushVarint(out, field * 8 + wireType);
    if (wireType === 0) pushVarint(out, rng.pick([0, 1, 2, 7, 255, rng.int(0, 2 ** 32 - 1)]));
    else if (wireType === 1) out.push(...Array.from(rng.bytes(8)));
    else if (wireType === 5) out.push(...Array.from(rng.bytes(4)));
    else if (wireType === 2) {
      const content = depth < 3 && rng.bool(0.5) ? protobufLike(rng, depth + 1) : Array.from(rng.bytes(rng.int(0, 40)));
      pushVarint(out, rng.bool(0.95) ? content.length : content.length + rng.int(1, 9));
      out.push(...content);
    }
  }
  return out;
}

/** A valid envelope header followed by a body field of protobuf-like content. */
function envelopeLike(rng: SeededRandom): Uint8Array {
  const out: number[] = [0x08, 0x01, 0x12, 0x01, 0x6d]; // protocolVersion 1, messageId "m"
  const body = protobufLike(rng);
  pushVarint(out, rng.pick([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 30]) * 8 + 2);
  pushVarint(out, body.length);
  out.push(...body);
  return Uint8Array.from(rng.bool(0.2) ? protobufLike(rng) : out);
}

describe('decoder fuzzing', () => {
  it('survives 3,000 random byte strings', () => {
    const rng = new SeededRandom(SEED);
    const outcomes = Array.from({ length: 3000 }, (_, i) => attempt(rng.bytes(rng.int(0, 256)), `random #${i}`));
    expect(tally(outcomes).get('MALFORMED')).toBeGreaterThan(1000);
  });

  it('survives 3,000 protobuf-shaped byte strings', () => {
    const rng = new SeededRandom(SEED + 1);
    const outcomes = Array.from({ length: 3000 }, (_, i) => attempt(envelopeLike(rng), `protobuf-like #${i}`));
    // Past the parser into the field checks: several distinct refusals are reached.
    expect(tally(outcomes).size).toBeGreaterThanOrEqual(5);
  });

  it('survives every truncation and 300 mutations of a valid message of each kind', () => {
    const rng = new SeededRandom(SEED + 2);
    const all: Outcome[] = [];
    for (const kind of BODY_KINDS) {
      const bytes = encodeEnvelope(sampleEnvelope(kind, rng), { weightDtype: rng.pick(['float32', 'float16'] as const) });
      // Truncations: every length for small messages, 400 evenly spread for large ones.
      const step = Math.max(1, Math.floor(bytes.length / 400));
      for (let length = 0; length < bytes.length; length += step) {
        all.push(attempt(bytes.subarray(0, length), `${kind} truncated to ${length}`));
      }
      for (let m = 0; m < 300; m++) all.push(attempt(mutate(bytes, rng), `${kind} mutation #${m}`));
    }
    const counts = tally(all);
    expect(all.length).toBeGreaterThan(5000);
    expect(counts.get('decoded')).toBeGreaterThan(0); // some mutations hit harmless bytes
    expect(counts.get('MALFORMED')).toBeGreaterThan(0);
  });

  it('keeps the chunk assembler to ProtocolErrors on random chunk streams', () => {
    const rng = new SeededRandom(SEED + 3);
    const assembler = new ChunkAssembler({ maxMessageBytes: 4096, maxPartialMessages: 3, timeoutMs: 50 });
    const digests = [new Uint8Array(32), rng.bytes(32)];
    for (let i = 0; i < 3000; i++) {
      const total = rng.int(1, 6);
      const chunk: Chunk = {
        messageId: `m${rng.int(0, 5)}`,
        index: rng.int(0, total),
        total,
        totalBytes: rng.int(1, 5000),
        digest: rng.pick(digests),
        data: rng.bytes(rng.int(0, 300)),
      };
      try {
        assembler.accept(chunk, i);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
      }
      expect(assembler.pendingMessages).toBeLessThanOrEqual(3);
      expect(assembler.bufferedBytes).toBeLessThanOrEqual(4096);
    }
  });
});
