import type { BinaryMatrix } from '../data/binary-matrix';
import { f1Score } from './classification-scores';
import type { HammingIndex } from './hamming-neighbours';

export interface AttributeInference {
  precision: number;
  recall: number;
  /** Micro-averaged F1 over all (record, unknown code) cells; NaN when no target has an unknown code and none is guessed. */
  f1: number;
}

/**
 * The attribute attack: the attacker knows a target's values on the `known` codes (the common
 * ones) and guesses each remaining code as present when at least half of the vote of the k
 * synthetic records nearest on the known codes holds it. `knownIndex` must be built over the
 * synthetic records restricted to exactly those known codes.
 */
export function attributeInference(
  targets: BinaryMatrix,
  known: readonly number[],
  synthetic: BinaryMatrix,
  knownIndex: HammingIndex,
  neighbours: number,
): AttributeInference {
  const isKnown = new Uint8Array(targets.cols);
  for (const c of known) isKnown[c] = 1;
  const votes = new Float64Array(targets.cols);
  const voted: number[] = [];
  const actual = new Uint8Array(targets.cols);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let r = 0; r < targets.rows; r++) {
    const codes = targets.indices.subarray(targets.offsets[r], targets.offsets[r + 1]);
    const { rows, weights } = knownIndex.nearestNeighbours(codes, neighbours);
    const totalWeight = weights.reduce((s, w) => s + w, 0);
    voted.length = 0;
    rows.forEach((s, i) => {
      for (let p = synthetic.offsets[s]; p < synthetic.offsets[s + 1]; p++) {
        const c = synthetic.indices[p];
        if (isKnown[c]) continue;
        if (votes[c] === 0) voted.push(c);
        votes[c] += weights[i];
      }
    });
    for (const c of codes) if (!isKnown[c]) actual[c] = 1;
    for (const c of voted) {
      const guessed = votes[c] >= totalWeight / 2;
      if (guessed && actual[c]) tp++;
      else if (guessed) fp++;
    }
    for (const c of codes) {
      if (isKnown[c]) continue;
      if (!(votes[c] >= totalWeight / 2 && votes[c] > 0)) fn++;
      actual[c] = 0;
    }
    for (const c of voted) votes[c] = 0;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return { precision, recall, f1: f1Score(tp, fp, fn) };
}
