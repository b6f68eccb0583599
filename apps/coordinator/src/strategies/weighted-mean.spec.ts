import { CoordinatorError } from '../errors/coordinator-error';
import { cloneWeights, plain, randomWeights, SMALL_LAYOUT, tensor } from '../__fixtures__/weights';
import { weightedMean } from './weighted-mean';

const label = (i: number) => `site "s${i}"'s update`;

describe('weightedMean', () => {
  it('computes a hand-checked weighted average', () => {
    const a = [tensor('w', [3], [1, 2, 3]), tensor('b', [1], [10])];
    const b = [tensor('w', [3], [3, 6, 9]), tensor('b', [1], [-2])];

    const out = weightedMean([
      { label: 'a', weights: a, weight: 1 },
      { label: 'b', weights: b, weight: 3 },
    ]);

    // (1·1 + 3·3)/4 = 2.5, (2 + 18)/4 = 5, (3 + 27)/4 = 7.5, (10 − 6)/4 = 1
    expect(plain(out)).toEqual([
      ['w', [3], [2.5, 5, 7.5]],
      ['b', [1], [1]],
    ]);
  });

  it('depends only on the proportions of the weights', () => {
    const sets = [1, 2, 3].map((seed) => randomWeights(seed, SMALL_LAYOUT));

    const base = weightedMean(sets.map((weights, i) => ({ label: label(i), weights, weight: [10, 20, 30][i]! })));
    const scaled = weightedMean(sets.map((weights, i) => ({ label: label(i), weights, weight: [1, 2, 3][i]! })));

    base.forEach((t, i) => t.data.forEach((x, j) => expect(scaled[i]!.data[j]).toBeCloseTo(x, 6)));
  });

  it('returns the input for identical updates and stays within per-coordinate bounds', () => {
    const same = randomWeights(9, SMALL_LAYOUT);
    expect(plain(weightedMean([1, 5, 7].map((w, i) => ({ label: label(i), weights: cloneWeights(same), weight: w }))))).toEqual(
      plain(same),
    );

    const sets = [4, 5, 6, 7].map((seed) => randomWeights(seed, SMALL_LAYOUT));
    const out = weightedMean(sets.map((weights, i) => ({ label: label(i), weights, weight: i + 1 })));
    out.forEach((t, ti) =>
      t.data.forEach((x, j) => {
        const column = sets.map((s) => s[ti]!.data[j]!);
        expect(x).toBeGreaterThanOrEqual(Math.min(...column));
        expect(x).toBeLessThanOrEqual(Math.max(...column));
      }),
    );
  });

  it('is order invariant up to float32 rounding', () => {
    const sets = [11, 12, 13, 14, 15].map((seed) => randomWeights(seed, SMALL_LAYOUT));
    const updates = sets.map((weights, i) => ({ label: label(i), weights, weight: 3 + i * 7 }));

    const forward = weightedMean(updates);
    const backward = weightedMean(updates.slice().reverse());

    forward.forEach((t, i) => t.data.forEach((x, j) => expect(backward[i]!.data[j]).toBeCloseTo(x, 6)));
  });

  it('matches tensors by name, not position, and keeps the reference order', () => {
    const reference = [tensor('a', [1], [0]), tensor('b', [1], [0])];
    const swapped = [tensor('b', [1], [4]), tensor('a', [1], [2])];

    const out = weightedMean([{ label: 'x', weights: swapped, weight: 1 }], { label: 'the global weights', weights: reference });

    expect(plain(out)).toEqual([
      ['a', [1], [2]],
      ['b', [1], [4]],
    ]);
  });

  it('accumulates in float64: a thousand updates lose no precision', () => {
    const x = 1 + 2 ** -23; // the float32 just above 1
    const updates = Array.from({ length: 1000 }, (_, i) => ({ label: label(i), weights: [tensor('w', [1], [x])], weight: 1 + (i % 7) }));

    expect(weightedMean(updates)[0]!.data[0]).toBe(Math.fround(x));
  });

  it('refuses empty input, bad weights and mismatched layouts, naming both sides', () => {
    expect(() => weightedMean([])).toThrow('nothing to aggregate: no updates were given');
    expect(() => weightedMean([{ label: 'site "a"\'s update', weights: [tensor('w', [1], [1])], weight: 0 }])).toThrow(
      'site "a"\'s update has weight 0',
    );
    const reference = { label: 'the global weights', weights: [tensor('w', [2, 2], [1, 2, 3, 4])] };
    const reshaped = [tensor('w', [4, 1], [1, 2, 3, 4])];
    const run = () => weightedMean([{ label: 'site "b"\'s update', weights: reshaped, weight: 1 }], reference);
    expect(run).toThrow(CoordinatorError);
    expect(run).toThrow('tensor "w" has shape [2, 2] in the global weights but [4, 1] in site "b"\'s update');
  });

  it('averages a medGAN-sized set element by element', () => {
    // ≈ 0.9 M floats × 5 sites. Its speed is measured by bench:federation (aggregation
    // throughput), not asserted here.
    const layout: Array<[string, number[]]> = [
      ['encoder/kernel', [1071, 128]],
      ['decoder/kernel', [128, 1071]],
      ['generator/kernel', [128, 128]],
      ['discriminator/kernel', [2142, 256]],
    ];
    const sets = [1, 2, 3, 4, 5].map((seed) => randomWeights(seed, layout));
    const out = weightedMean(sets.map((weights, i) => ({ label: label(i), weights, weight: i + 1 })));

    expect(out.map((t) => [t.name, t.shape])).toEqual(layout);
    out.forEach((t, k) => {
      for (const j of [0, 1, Math.floor(t.data.length / 2), t.data.length - 1]) {
        const expected = sets.reduce((sum, weights, i) => sum + (i + 1) * weights[k]!.data[j]!, 0) / 15;
        expect(t.data[j]).toBeCloseTo(expected, 6);
      }
    });
  });
});
