import { toyCohort } from './bench/toy-cohort';
import { shuffledRows } from './__fixtures__/matrices';
import { createUtilityEvaluator } from './utility';
import { m } from './__fixtures__/matrices';

describe('utility', () => {
  const X = toyCohort({ records: 600, codes: 120, seed: 1 });
  const H = toyCohort({ records: 600, codes: 120, seed: 2 });
  const options = { predictionCodes: 6, detectionFolds: 3, logistic: { steps: 150 } };

  it('scores records from the same population as about as useful as the real ones', () => {
    // Execute
    const u = createUtilityEvaluator(X, H, options).evaluate(toyCohort({ records: 600, codes: 120, seed: 3 }));
    // Assert
    expect(u.prediction.codes).toHaveLength(6);
    expect(Math.abs(u.prediction.meanGap!)).toBeLessThan(0.06);
    expect(Math.abs(u.detectionAuc! - 0.5)).toBeLessThan(0.08);
  });

  it('shows the loss when the synthetic records carry no associations', () => {
    // Prepare: every record holds exactly one code, so no code predicts another.
    const noise = m(Array.from({ length: 600 }, (_, i) => [i % 120]), 120);
    // Execute
    const u = createUtilityEvaluator(X, H, options).evaluate(noise);
    // Assert
    expect(u.prediction.meanGap!).toBeGreaterThan(0.1);
    expect(u.detectionAuc!).toBeGreaterThan(0.9);
  });

  it('does not depend on row order', () => {
    const S = toyCohort({ records: 300, codes: 120, seed: 4 });
    const a = createUtilityEvaluator(X, H, options).evaluate(S);
    const b = createUtilityEvaluator(shuffledRows(X, 1), shuffledRows(H, 2), options).evaluate(shuffledRows(S, 3));
    expect(b).toEqual(a);
  });
});
