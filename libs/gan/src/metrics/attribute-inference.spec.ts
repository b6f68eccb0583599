import { m } from './__fixtures__/matrices';
import { attributeInference } from './attribute-inference';
import { HammingIndex } from './hamming-neighbours';

describe('attributeInference', () => {
  // The attacker knows codes 0 and 1.
  const known = [0, 1];
  const synthetic = m([[0, 5], [1, 6], [0, 1, 7]], 10);
  const index = new HammingIndex(synthetic, known);
  const targets = m([[0, 5, 8], [0, 1, 9]], 10);

  it('copies the unknown codes of the nearest synthetic record', () => {
    // Execute
    const result = attributeInference(targets, known, synthetic, index, 1);
    // Assert: target 1 matches [0,5] → guesses 5 (right), misses 8; target 2 matches [0,1,7] →
    // guesses 7 (wrong), misses 9. TP 1, FP 1, FN 2.
    expect(result.precision).toBe(0.5);
    expect(result.recall).toBeCloseTo(1 / 3, 12);
    expect(result.f1).toBeCloseTo(2 / 5, 12);
  });

  it('lets k neighbours vote, guessing codes held by at least half of the vote', () => {
    // k = 2 for target 1: [0,5] (distance 0) and [0,1,7] (1) → guesses 5 and 7.
    const result = attributeInference(m([[0, 5, 8]], 10), known, synthetic, index, 2);
    // TP 1 (5), FP 1 (7), FN 1 (8).
    expect(result.f1).toBeCloseTo(0.5, 12);
  });
});
