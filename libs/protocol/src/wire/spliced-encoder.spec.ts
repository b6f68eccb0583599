import { fedsynth } from '../generated/fedsynth';
import { decodeEnvelope } from '../envelope/decode-envelope';
import { encodeEnvelope } from '../envelope/encode-envelope';
import { createEnvelope } from '../envelope/create-envelope';
import { BODY_KINDS } from '../messages/types';
import { SeededRandom } from '../testing/seeded-random';
import { sampleEnvelope } from '../testing/sample-messages';
import type { WeightSet } from '../tensors/weight-set';
import { paddingFieldSize } from './spliced-encoder';

const pb = fedsynth.v1;

function trainResult(weights: WeightSet, messageId = 'm') {
  return createEnvelope('trainResult', { runId: 'r', round: 1, phase: 'gan', recordCount: 3, weights, metrics: {} }, { messageId });
}

/** Offsets of each tensor's data inside `bytes`, read back with the generated decoder. */
function dataOffsets(bytes: Uint8Array): number[] {
  const wire = pb.Envelope.decode(bytes);
  const tensors = wire.trainResult?.weights?.tensors ?? wire.trainTask?.weights?.tensors ?? [];
  return tensors.map((t) => t.data!.byteOffset - bytes.byteOffset);
}

describe('paddingFieldSize', () => {
  it.each([
    [0, 0],
    [4, 0],
    [1, 3], // key + length + 1 filler byte
    [2, 6], // 4 filler bytes: 2 + 4 = 6 ≡ 2
    [3, 5],
    [7, 5],
  ])('at %d pads %d bytes', (position, size) => {
    expect(paddingFieldSize(position)).toBe(size);
    expect((position + size) % 4).toBe(0);
  });
});

describe('spliced encoder', () => {
  it('writes exactly the bytes the generated encoder writes, for every kind', () => {
    for (const kind of BODY_KINDS) {
      for (const align of [false, true]) {
        const bytes = encodeEnvelope(sampleEnvelope(kind, new SeededRandom(11)), { alignTensors: align });
        // Re-encoding the decoded message (padding included) must reproduce the input.
        const reencoded = pb.Envelope.encode(pb.Envelope.decode(bytes)).finish();
        expect(Buffer.from(reencoded).equals(Buffer.from(bytes))).toBe(true);
      }
    }
  });

  it('starts every tensor 4-byte aligned, across varint-length boundaries', () => {
    const rng = new SeededRandom(3);
    // Sizes around the 1→2 and 2→3 byte length varints, and ids of every length mod 4.
    for (const elements of [1, 31, 32, 33, 4095, 4096, 4097]) {
      for (let idLength = 1; idLength <= 8; idLength++) {
        const weights: WeightSet = [
          { name: 'a', shape: [elements], data: new Float32Array(elements).fill(0.5) },
          { name: 'bb/kernel', shape: [rng.int(1, 9), 3], data: new Float32Array(0) },
        ];
        weights[1]!.data = new Float32Array(weights[1]!.shape[0]! * 3);
        const bytes = encodeEnvelope(trainResult(weights, 'x'.repeat(idLength)));
        for (const offset of dataOffsets(bytes)) expect(offset % 4).toBe(0);
      }
    }
  });

  it('skips padding when asked', () => {
    const weights: WeightSet = [{ name: 'a', shape: [2], data: new Float32Array([1, 2]) }];
    const aligned = encodeEnvelope(trainResult(weights, 'abc'));
    const packed = encodeEnvelope(trainResult(weights, 'abc'), { alignTensors: false });
    expect(packed.length).toBeLessThan(aligned.length);
    expect(pb.Envelope.decode(packed).trainResult?.weights?.tensors?.[0]?.padding?.length ?? 0).toBe(0);
  });

  it('lets the decoder read float32 tensors in place (no copy)', () => {
    const weights: WeightSet = [
      { name: 'w', shape: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      { name: 'b', shape: [2], data: new Float32Array([7, 8]) },
    ];
    const bytes = encodeEnvelope(trainResult(weights));
    const aligned = new Uint8Array(bytes.length);
    aligned.set(bytes); // offset 0, as after chunk reassembly
    const decoded = decodeEnvelope(aligned);
    if (decoded.body.kind !== 'trainResult') throw new Error('kind');
    for (const tensor of decoded.body.value.weights) expect(tensor.data.buffer).toBe(aligned.buffer);
    expect(Array.from(decoded.body.value.weights[0]!.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('shares no memory with the sender but copies each tensor exactly once', () => {
    const data = new Float32Array([1, 2]);
    const bytes = encodeEnvelope(trainResult([{ name: 'w', shape: [2], data }]));
    data[0] = 99; // changing the source after encoding does not change the message
    const decoded = decodeEnvelope(bytes);
    if (decoded.body.kind !== 'trainResult') throw new Error('kind');
    expect(decoded.body.value.weights[0]!.data[0]).toBe(1);
  });
});
