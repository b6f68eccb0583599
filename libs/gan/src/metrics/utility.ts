import type { BinaryMatrix } from '../data/binary-matrix';
import { deriveSeed } from '../data/simulate/prng';
import { canonicalRowOrder } from './canonical-order';
import { detectionAuc } from './detection';
import { predictionF1 } from './dimension-wise-prediction';
import type { LogisticOptions } from './logistic-regression';
import { assertSameColumns } from './matrix-checks';
import { mostCommonCodes, prevalence } from './prevalence';
import { finiteOrNull, meanOfPresent } from './summary-stats';

export interface UtilityMetrics {
  /** Dimension-wise prediction: train on real vs on synthetic, test both on held-out real records. */
  prediction: {
    /** The predicted codes (columns), most common in the training data first. */
    codes: number[];
    /** Per code: F1 on held-out records of the model trained on real training records. */
    f1Real: (number | null)[];
    /** Per code: F1 on held-out records of the model trained on synthetic records. */
    f1Synthetic: (number | null)[];
    meanF1Real: number | null;
    meanF1Synthetic: number | null;
    /** Mean over codes of F1(real-trained) − F1(synthetic-trained): 0 = as useful as the real data. */
    meanGap: number | null;
  };
  /** ROC AUC of a classifier telling held-out real records from synthetic ones (0.5 = indistinguishable). */
  detectionAuc: number | null;
}

export interface UtilityOptions {
  seed?: number;
  /** How many of the most common training codes to predict (default 30). */
  predictionCodes?: number;
  detectionFolds?: number;
  /** Pair features among this many common codes in the detection classifier (default 30). */
  detectionPairCodes?: number;
  logistic?: LogisticOptions;
}

export interface UtilityEvaluator {
  evaluate(synthetic: BinaryMatrix): UtilityMetrics;
}

/**
 * Prepares the utility metrics for one (train, holdout) pair. The real-trained models are the
 * same for every synthetic set, so they are fitted once here and reused by each evaluate().
 */
export function createUtilityEvaluator(train: BinaryMatrix, holdout: BinaryMatrix, options: UtilityOptions = {}): UtilityEvaluator {
  assertSameColumns({ train, holdout });
  const seed = options.seed ?? 1;
  const canonicalTrain = canonicalRowOrder(train);
  const canonicalHoldout = canonicalRowOrder(holdout);
  const codes = mostCommonCodes(prevalence(train), options.predictionCodes ?? 30);
  const predictionOptions = { ...options.logistic, seed: deriveSeed(seed, 1) };
  const f1Real = predictionF1(canonicalTrain, canonicalHoldout, codes, predictionOptions);
  return {
    evaluate(synthetic) {
      assertSameColumns({ train, synthetic });
      const f1Synthetic = predictionF1(canonicalRowOrder(synthetic), canonicalHoldout, codes, predictionOptions);
      const gaps = codes.map((_, i) => {
        const a = f1Real[i];
        const b = f1Synthetic[i];
        return a === null || b === null ? null : a - b;
      });
      const auc = detectionAuc(holdout, synthetic, {
        folds: options.detectionFolds,
        pairCodes: options.detectionPairCodes,
        seed: deriveSeed(seed, 2),
        logistic: options.logistic,
      });
      return {
        prediction: {
          codes,
          f1Real,
          f1Synthetic,
          meanF1Real: meanOfPresent(f1Real),
          meanF1Synthetic: meanOfPresent(f1Synthetic),
          meanGap: meanOfPresent(gaps),
        },
        detectionAuc: finiteOrNull(auc),
      };
    },
  };
}

/** Utility of one synthetic set (see createUtilityEvaluator to score several against the same data). */
export function utilityMetrics(train: BinaryMatrix, holdout: BinaryMatrix, synthetic: BinaryMatrix, options: UtilityOptions = {}): UtilityMetrics {
  return createUtilityEvaluator(train, holdout, options).evaluate(synthetic);
}
