import type { WeightSet } from '@fedsynth/protocol';
import { RoundAverage } from './round-average';

const round = (g: number[], d: number[]): WeightSet => [
  { name: 'generator/kernel', shape: [2], data: Float32Array.from(g) },
  { name: 'discriminator/kernel', shape: [2], data: Float32Array.from(d) },
];

describe('RoundAverage', () => {
  it('averages the named tensors exponentially over rounds and keeps the latest round of the others', () => {
    const average = new RoundAverage(0.5, new Set(['generator/kernel']));
    average.add(round([2, 4], [1, 1]));
    average.add(round([4, 0], [2, 2]));
    average.add(round([8, 8], [3, 3]));
    // g: [2,4] → 0.5·[2,4] + 0.5·[4,0] = [3,2] → 0.5·[3,2] + 0.5·[8,8] = [5.5,5]
    const [g, d] = average.result();
    expect(Array.from(g!.data)).toEqual([5.5, 5]);
    expect(Array.from(d!.data)).toEqual([3, 3]);
    expect(average.rounds).toBe(3);
  });

  it('with decay 0 is the latest round, and never aliases the rounds it was given', () => {
    const average = new RoundAverage(0, new Set(['generator/kernel']));
    const first = round([1, 1], [1, 1]);
    average.add(first);
    average.add(round([7, 9], [5, 5]));
    expect(Array.from(average.result()[0]!.data)).toEqual([7, 9]);
    expect(Array.from(first[0]!.data)).toEqual([1, 1]);
  });

  it('refuses a decay outside [0, 1), a round with another layout, and a result before any round', () => {
    expect(() => new RoundAverage(1, new Set())).toThrow('decay must be in [0, 1), got 1');
    const average = new RoundAverage(0.8, new Set(['generator/kernel']));
    expect(() => average.result()).toThrow('no GAN round to average yet');
    average.add(round([1, 1], [1, 1]));
    expect(() => average.add([{ name: 'generator/kernel', shape: [3], data: new Float32Array(3) }, round([1, 1], [1, 1])[1]!])).toThrow(
      'round 1 has tensor "generator/kernel" (3 values) where the earlier rounds have "generator/kernel" (2)',
    );
    expect(() => average.add(round([1, 1], [1, 1]).slice(0, 1))).toThrow('round 1 holds 1 tensors, the earlier rounds 2');
  });
});
