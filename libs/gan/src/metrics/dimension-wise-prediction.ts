import type { BinaryMatrix } from '../data/binary-matrix';
import { deriveSeed } from '../data/simulate/prng';
import { bestF1Threshold, f1AtThreshold } from './classification-scores';
import { columnLabels } from './column-labels';
import { type LogisticOptions, predictProbabilities, trainLogisticRegression } from './logistic-regression';
import { finiteOrNull } from './summary-stats';

/**
 * For each code, fit a logistic regression that predicts it from all the other codes on
 * `train`, pick the F1-best threshold on `train`, and report F1 on `test`. Trained on real
 * records this is the bar; trained on synthetic ones (tested on the same real records) it
 * shows whether the synthetic data carries the same clinical associations. null where the test
 * records never hold the code: there is nothing to find, and F1 would only say whether the model
 * stayed silent.
 */
export function predictionF1(
  train: BinaryMatrix,
  test: BinaryMatrix,
  codes: readonly number[],
  options: LogisticOptions & { seed?: number } = {},
): (number | null)[] {
  const seed = options.seed ?? 1;
  return codes.map((code, i) => {
    const testLabels = columnLabels(test, code);
    if (!testLabels.includes(1)) return null;
    const trainLabels = columnLabels(train, code);
    const model = trainLogisticRegression(train, trainLabels, { ...options, seed: deriveSeed(seed, i), excludeColumn: code });
    const threshold = bestF1Threshold(predictProbabilities(model, train), trainLabels);
    return finiteOrNull(f1AtThreshold(predictProbabilities(model, test), testLabels, threshold));
  });
}
