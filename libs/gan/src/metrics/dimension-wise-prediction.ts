import type { BinaryMatrix } from '../data/binary-matrix';
import { deriveSeed } from '../data/simulate/prng';
import { f1AtThreshold } from './classification-scores';
import { columnLabels } from './column-labels';
import { type LogisticOptions, predictProbabilities, trainLogisticRegression } from './logistic-regression';
import { finiteOrNull } from './summary-stats';

/**
 * For each code, fit a logistic regression that predicts it from all the other codes on `train`
 * and report F1 on `test`. Trained on real records this is the bar; trained on synthetic ones
 * (tested on the same real records) it shows whether the synthetic data carries the same clinical
 * associations. null where the test records never hold the code: there is nothing to find.
 *
 * The model claims the code where it rates it above the code's training prevalence ("more likely
 * than its base rate"). A fixed 0.5 scores a rare code's model at F1 ≈ 0 however well it ranks,
 * and an F1-best threshold picked on the training records is fooled by a model that memorised
 * them, as it will with 80 records and 500 codes.
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
    const threshold = trainLabels.includes(1) ? trainLabels.reduce((n, y) => n + y, 0) / train.rows : Infinity;
    return finiteOrNull(f1AtThreshold(predictProbabilities(model, test), testLabels, threshold));
  });
}
