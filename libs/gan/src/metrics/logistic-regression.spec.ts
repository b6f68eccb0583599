import { createRng } from '../data/simulate/prng';
import { m } from './__fixtures__/matrices';
import { predictProbabilities, trainLogisticRegression } from './logistic-regression';

/** 200 records; code 0 decides the label, codes 1–9 are noise. */
function separable() {
  const rng = createRng(5);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 200; i++) {
    const positive = i % 2 === 0;
    const row = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter(() => rng.next() < 0.3);
    rows.push(positive ? [0, ...row] : row);
    labels.push(positive ? 1 : 0);
  }
  return { x: m(rows, 10), labels };
}

describe('logistic regression', () => {
  it('learns a code that decides the label', () => {
    // Prepare
    const { x, labels } = separable();
    // Execute
    const model = trainLogisticRegression(x, labels);
    const p = predictProbabilities(model, m([[0, 3], [3]], 10));
    // Assert
    expect(p[0]).toBeGreaterThan(0.8);
    expect(p[1]).toBeLessThan(0.2);
  });

  it('ignores the excluded column in training and prediction', () => {
    const { x, labels } = separable();
    const model = trainLogisticRegression(x, labels, { excludeColumn: 0 });
    expect(model.weights[0]).toBe(0);
    const p = predictProbabilities(model, m([[0], []], 10));
    expect(p[0]).toBe(p[1]);
    expect(Math.abs(p[0] - 0.5)).toBeLessThan(0.15);
  });

  it('is deterministic for a seed', () => {
    const { x, labels } = separable();
    const a = trainLogisticRegression(x, labels, { seed: 3 });
    const b = trainLogisticRegression(x, labels, { seed: 3 });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    expect(a.bias).toBe(b.bias);
  });
});
