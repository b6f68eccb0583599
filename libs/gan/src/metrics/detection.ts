import type { BinaryMatrix } from '../data/binary-matrix';
import { createRng } from '../data/simulate/prng';
import { canonicalRowOrder } from './canonical-order';
import { rocAuc } from './classification-scores';
import { concatRows } from './concat-rows';
import { type LogisticOptions, predictProbabilities, trainLogisticRegression } from './logistic-regression';
import { prevalence, mostCommonCodes } from './prevalence';
import { permutation, sampleIndices } from './row-sampling';
import { selectRows } from '../data/binary-matrix';

/** Lower edges of the codes-per-record buckets: bucket b holds sizes in [EDGES[b], EDGES[b+1]). */
const SIZE_BUCKET_EDGES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 17, 20, 25, 30, 40, 50, 70, 100];

function sizeBucket(size: number): number {
  let b = 0;
  while (b + 1 < SIZE_BUCKET_EDGES.length && size >= SIZE_BUCKET_EDGES[b + 1]) b++;
  return b;
}

/**
 * Features for telling real from synthetic records. The codes alone would make a linear
 * classifier blind to everything but prevalence — and a generator with perfect prevalence and no
 * correlation (independent marginals) would pass as real. So we add one-hot record-size buckets
 * (catches wrong numbers of codes per record) and indicators for every pair of the `pairCodes`
 * (catches missing or invented co-occurrence among the common codes). Column layout:
 * codes | size buckets | pairs (i < j in pairCodes order).
 */
export function detectionFeatures(m: BinaryMatrix, pairCodes: readonly number[]): BinaryMatrix {
  const k = pairCodes.length;
  const position = new Int32Array(m.cols).fill(-1);
  pairCodes.forEach((c, i) => {
    position[c] = i;
  });
  const bucketBase = m.cols;
  const pairBase = bucketBase + SIZE_BUCKET_EDGES.length;
  const pairIndex = (i: number, j: number) => i * k - (i * (i + 1)) / 2 + (j - i - 1);
  const offsets = new Uint32Array(m.rows + 1);
  const out: number[] = [];
  const present: number[] = [];
  const pairs: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    present.length = 0;
    pairs.length = 0;
    for (let p = m.offsets[r]; p < m.offsets[r + 1]; p++) {
      out.push(m.indices[p]);
      if (position[m.indices[p]] >= 0) present.push(position[m.indices[p]]);
    }
    out.push(bucketBase + sizeBucket(m.offsets[r + 1] - m.offsets[r]));
    present.sort((a, b) => a - b);
    for (let x = 0; x < present.length; x++) {
      for (let y = x + 1; y < present.length; y++) pairs.push(pairBase + pairIndex(present[x], present[y]));
    }
    pairs.sort((a, b) => a - b);
    for (const f of pairs) out.push(f);
    offsets[r + 1] = out.length;
  }
  return { rows: m.rows, cols: pairBase + (k * (k - 1)) / 2, offsets, indices: Uint32Array.from(out) };
}

export interface DetectionOptions {
  /** Cross-validation folds (default 5). */
  folds?: number;
  /** Pair indicators among this many of the real data's most common codes (default 30). */
  pairCodes?: number;
  seed?: number;
  logistic?: LogisticOptions;
}

/**
 * How well a classifier tells real (held-out) records from synthetic ones: the ROC AUC of
 * out-of-fold scores from a k-fold cross-validated logistic regression, on equally many records
 * of each kind. 0.5 = indistinguishable; 1 = every synthetic record is recognisable.
 * NaN when either side has fewer than two records.
 */
export function detectionAuc(real: BinaryMatrix, synthetic: BinaryMatrix, options: DetectionOptions = {}): number {
  const rng = createRng(options.seed ?? 1);
  const n = Math.min(real.rows, synthetic.rows);
  if (n < 2) return NaN;
  // Equal class sizes, so the classifier cannot win on base rate; canonical order first so the
  // subsample depends on the records, not their storage order.
  const realSample = selectRows(canonicalRowOrder(real), sampleIndices(real.rows, n, rng));
  const syntheticSample = selectRows(canonicalRowOrder(synthetic), sampleIndices(synthetic.rows, n, rng));
  const pairCodes = mostCommonCodes(prevalence(realSample), options.pairCodes ?? 30);
  const features = detectionFeatures(concatRows(realSample, syntheticSample), pairCodes);
  const labels = new Uint8Array(2 * n);
  labels.fill(1, n);
  const folds = Math.min(options.folds ?? 5, n);
  // Stratified folds: each class is dealt round-robin in a random order.
  const fold = new Uint8Array(2 * n);
  const realOrder = permutation(n, rng);
  const syntheticOrder = permutation(n, rng);
  for (let i = 0; i < n; i++) {
    fold[realOrder[i]] = i % folds;
    fold[n + syntheticOrder[i]] = i % folds;
  }
  const scores = new Float64Array(2 * n);
  for (let f = 0; f < folds; f++) {
    const trainRows: number[] = [];
    const testRows: number[] = [];
    for (let r = 0; r < 2 * n; r++) (fold[r] === f ? testRows : trainRows).push(r);
    const model = trainLogisticRegression(
      selectRows(features, trainRows),
      trainRows.map((r) => labels[r]),
      { ...options.logistic, seed: rng.int(2 ** 31) },
    );
    const predicted = predictProbabilities(model, selectRows(features, testRows));
    testRows.forEach((r, i) => {
      scores[r] = predicted[i];
    });
  }
  return rocAuc(scores, labels);
}
