import { fedsynth } from '../generated/fedsynth';
import { ProtocolError } from '../errors/protocol-error';
import { medganLikeWeights } from '../testing/realistic-weights';
import { sampleWeights } from '../testing/sample-messages';
import { SeededRandom } from '../testing/seeded-random';
import { decodeWeightSet, encodeWeightSet } from './weight-set-bytes';

describe('encodeWeightSet / decodeWeightSet', () => {
  it('round-trips seeded weight sets with aligned, in-place tensors', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const weights = sampleWeights(new SeededRandom(seed), 8);
      const bytes = encodeWeightSet(weights);
      const aligned = new Uint8Array(bytes.length);
      aligned.set(bytes);
      const decoded = decodeWeightSet(aligned);
      expect(decoded.map((t) => [t.name, t.shape, Array.from(t.data)])).toEqual(weights.map((t) => [t.name, t.shape, Array.from(t.data)]));
      for (const t of decoded) expect(t.data.buffer).toBe(aligned.buffer);
      // The same bytes the generated encoder would write for the decoded message.
      const reencoded = fedsynth.v1.WeightSet.encode(fedsynth.v1.WeightSet.decode(bytes)).finish();
      expect(Buffer.from(reencoded).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('compresses medGAN-like weights to about half with float16', () => {
    const weights = medganLikeWeights(200, 3);
    const full = encodeWeightSet(weights);
    const half = encodeWeightSet(weights, { weightDtype: 'float16' });
    expect(half.length / full.length).toBeCloseTo(0.5, 1);
    const decoded = decodeWeightSet(half);
    expect(decoded.map((t) => t.shape)).toEqual(weights.map((t) => t.shape));
  });

  it('refuses bad input with ProtocolError', () => {
    expect(() => decodeWeightSet(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(ProtocolError);
    expect(() => decodeWeightSet(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'MISSING_FIELD' }));
    const nan = [{ name: 'w', shape: [2], data: new Float32Array([1, NaN]) }];
    expect(() => encodeWeightSet(nan, { checkFinite: true })).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
    expect(() => decodeWeightSet(encodeWeightSet(nan))).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
  });
});
