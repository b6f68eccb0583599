import { BODY_KINDS, type BodyKind, type Envelope } from '../messages/types';
import { SeededRandom } from '../testing/seeded-random';
import { sampleEnvelope } from '../testing/sample-messages';
import { decodeEnvelope } from './decode-envelope';
import { encodeEnvelope } from './encode-envelope';

/** Plain values for comparison: typed arrays become number arrays (Buffer vs Uint8Array alike). */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const SEEDS_PER_KIND = 25;

describe('envelope round trip (seeded)', () => {
  describe.each(BODY_KINDS.map((kind) => [kind]))('%s', (kind: BodyKind) => {
    it(`decodes to what was encoded, ${SEEDS_PER_KIND} seeds`, () => {
      for (let seed = 1; seed <= SEEDS_PER_KIND; seed++) {
        const envelope = sampleEnvelope(kind, new SeededRandom(seed * 7919 + kind.length));
        const bytes = encodeEnvelope(envelope);
        const decoded = decodeEnvelope(bytes);
        expect(plain(decoded)).toEqual(plain(envelope));
        expect(decoded.body.kind).toBe(kind);
      }
    });

    it('decodes the same from unaligned and copied input', () => {
      const envelope = sampleEnvelope(kind, new SeededRandom(42));
      const bytes = encodeEnvelope(envelope);
      const shifted = new Uint8Array(bytes.length + 1).subarray(1);
      shifted.set(bytes);
      expect(plain(decodeEnvelope(shifted))).toEqual(plain(envelope));
      expect(plain(decodeEnvelope(bytes, { copyTensors: true }))).toEqual(plain(envelope));
      expect(plain(decodeEnvelope(encodeEnvelope(envelope, { alignTensors: false })))).toEqual(plain(envelope));
    });
  });

  it('round-trips float16 weights within half an ulp', () => {
    const envelope = sampleEnvelope('trainResult', new SeededRandom(5)) as Envelope;
    const decoded = decodeEnvelope(encodeEnvelope(envelope, { weightDtype: 'float16' }));
    if (envelope.body.kind !== 'trainResult' || decoded.body.kind !== 'trainResult') throw new Error('kind');
    const sent = envelope.body.value.weights;
    const got = decoded.body.value.weights;
    expect(got.map((t) => [t.name, t.shape])).toEqual(sent.map((t) => [t.name, t.shape]));
    sent.forEach((t, i) => {
      t.data.forEach((x, j) => {
        expect(Math.abs(got[i]!.data[j]! - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -25));
      });
    });
  });
});
