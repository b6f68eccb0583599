import { ProtocolError } from '../errors/protocol-error';
import { createEnvelope } from '../envelope/create-envelope';
import { decodeEnvelope } from '../envelope/decode-envelope';
import type { Envelope } from '../messages/types';
import { SeededRandom } from '../testing/seeded-random';
import { sampleWeights } from '../testing/sample-messages';
import { shuffled } from '../testing/shuffle';
import { encodeFrames } from './encode-frames';
import { FrameReceiver } from './frame-receiver';

function bigResult(seed: number): Envelope {
  const weights = sampleWeights(new SeededRandom(seed), 8);
  weights.push({ name: 'big', shape: [64, 64], data: new Float32Array(4096).map((_, i) => Math.sin(i)) });
  return createEnvelope('trainResult', { runId: 'run', round: 3, phase: 'gan', recordCount: 10, weights, metrics: { loss: 0.5 } });
}

describe('encodeFrames / FrameReceiver', () => {
  it('sends a small envelope as one frame', () => {
    const envelope = createEnvelope('ack', {});
    const frames = encodeFrames(envelope);
    expect(frames).toHaveLength(1);
    expect(new FrameReceiver().accept(frames[0]!)).toEqual(decodeEnvelope(frames[0]!));
  });

  it('chunks a large one into frames under the limit, reassembled in any order', () => {
    const rng = new SeededRandom(8);
    for (let seed = 1; seed <= 5; seed++) {
      const envelope = bigResult(seed);
      const frames = encodeFrames(envelope, { maxFrameBytes: 2048 });
      expect(frames.length).toBeGreaterThan(5);
      for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(2048);

      const order = shuffled(frames.map((_, i) => i), rng);
      const receiver = new FrameReceiver();
      const results = order.map((i) => receiver.accept(frames[i]!, 0));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      const got = results.at(-1)!;
      expect(got.messageId).toBe(envelope.messageId);
      if (got.body.kind !== 'trainResult' || envelope.body.kind !== 'trainResult') throw new Error('kind');
      expect(got.body.value.weights.map((t) => Array.from(t.data))).toEqual(
        envelope.body.value.weights.map((t) => Array.from(t.data)),
      );
      // Reassembled at offset 0: tensors are views, not copies.
      expect(got.body.value.weights.every((t) => t.data.byteOffset % 4 === 0)).toBe(true);
    }
  });

  it('never completes a message with a lost frame, and reports it after the timeout', () => {
    const frames = encodeFrames(bigResult(1), { maxFrameBytes: 2048 });
    const receiver = new FrameReceiver({ assembler: { timeoutMs: 10_000 } });
    frames.forEach((frame, i) => {
      if (i !== 2) expect(receiver.accept(frame, 0)).toBeUndefined();
    });
    const errors = receiver.assembler.expire(10_000);
    expect(errors.map((e) => e.code)).toEqual(['CHUNK_MISSING']);
  });

  it('refuses a replayed frame as a duplicate', () => {
    const frames = encodeFrames(bigResult(2), { maxFrameBytes: 4096 });
    const receiver = new FrameReceiver();
    receiver.accept(frames[0]!, 0);
    expect(() => receiver.accept(frames[0]!, 0)).toThrow(expect.objectContaining({ code: 'CHUNK_DUPLICATE' }));
  });

  it('refuses frame sizes too small to carry anything', () => {
    expect(() => encodeFrames(bigResult(1), { maxFrameBytes: 100 })).toThrow(ProtocolError);
  });
});
