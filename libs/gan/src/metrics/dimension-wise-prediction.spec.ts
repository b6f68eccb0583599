import { m } from './__fixtures__/matrices';
import { predictionF1 } from './dimension-wise-prediction';

describe('predictionF1', () => {
  it('scores a code that always comes with another as perfectly predictable', () => {
    // Prepare: code 1 present exactly when code 0 is; codes 2–4 are filler.
    const rows = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? [0, 1, 2 + (i % 3)] : [2 + (i % 3)]));
    const x = m(rows, 5);
    // Execute
    const [f1] = predictionF1(x, x, [1]);
    // Assert
    expect(f1).toBe(1);
  });

  it('is null for a code the test records never hold', () => {
    const train = m([[0, 1], [1], [0]], 3);
    const test = m([[0], [1]], 3);
    expect(predictionF1(train, test, [2, 0])[0]).toBeNull();
  });
});
