import { matrixFromRows } from '../../data/binary-matrix';
import { createRng } from '../../data/simulate/prng';
import { prevalence } from '../prevalence';
import { forEachBernoulliSuccess } from './bernoulli-sampling';
import { independentMarginalsBaseline, sampleIndependentMarginals } from './independent-marginals';
import { matrixFromColumnMajorPairs } from './matrix-from-pairs';

describe('independent marginals', () => {
  it('draws each index with its probability by geometric jumps', () => {
    const count = (n: number, p: number) => {
      let k = 0;
      forEachBernoulliSuccess(n, p, createRng(1), () => k++);
      return k;
    };
    expect(count(1000, 0)).toBe(0);
    expect(count(1000, 1)).toBe(1000);
    // Binomial(100000, 0.03): mean 3000, sd ≈ 54.
    expect(Math.abs(count(100_000, 0.03) - 3000)).toBeLessThan(250);
  });

  it('builds rows from column-major entries', () => {
    // Prepare: column 0 in rows 2, 0; column 3 in row 0.
    const x = matrixFromColumnMajorPairs(3, 4, [2, 0, 0], [0, 0, 3]);
    // Assert
    expect(x).toEqual(matrixFromRows([[0, 3], [], [0]], 4));
  });

  it('reproduces the training prevalences, deterministically', () => {
    // Prepare
    const probabilities = [0.5, 0.1, 0, 1, 0.02];
    // Execute
    const s = sampleIndependentMarginals(probabilities, 20_000, 7);
    // Assert
    prevalence(s).forEach((p, c) => expect(Math.abs(p - probabilities[c])).toBeLessThan(0.01));
    expect(sampleIndependentMarginals(probabilities, 20_000, 7)).toEqual(s);
  });

  it('samples as many records as asked from a training matrix', () => {
    const train = matrixFromRows([[0, 1], [1], [1, 2]], 4);
    const s = independentMarginalsBaseline(train, 50, 1);
    expect(s.rows).toBe(50);
    expect(s.cols).toBe(4);
  });
});
