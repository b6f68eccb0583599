import { m } from './__fixtures__/matrices';
import { distanceToClosestRecord } from './distance-to-closest-record';
import { HammingIndex } from './hamming-neighbours';

describe('distanceToClosestRecord', () => {
  it('counts synthetic records closer to training than to held-out, ties half', () => {
    // Prepare
    const train = new HammingIndex(m([[0, 1], [2]], 6));
    const holdout = new HammingIndex(m([[0], [3]], 6));
    // [0,1]: 0 vs 1 → closer. [3]: 2 vs 0 → no. [0]: 1 vs 0 → no. [5]: 2 vs 2 → tie.
    const synthetic = m([[0, 1], [3], [0], [5]], 6);
    // Execute
    const dcr = distanceToClosestRecord(synthetic, train, holdout);
    // Assert
    expect(dcr).toEqual({ shareCloserToTrain: 1.5 / 4, meanDistanceToTrain: 5 / 4, meanDistanceToHoldout: 3 / 4 });
  });

  it('refuses reference sets of different sizes', () => {
    expect(() => distanceToClosestRecord(m([[0]], 2), new HammingIndex(m([[0]], 2)), new HammingIndex(m([[0], [1]], 2)))).toThrow(RangeError);
  });
});
