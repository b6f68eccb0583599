/** F1 = 2TP / (2TP + FP + FN); NaN when there was nothing to find and nothing was claimed. */
export function f1Score(truePositives: number, falsePositives: number, falseNegatives: number): number {
  const denominator = 2 * truePositives + falsePositives + falseNegatives;
  return denominator === 0 ? NaN : (2 * truePositives) / denominator;
}

/** F1 of claiming `score ≥ threshold` as positive. */
export function f1AtThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const claimed = scores[i] >= threshold;
    if (claimed && labels[i] === 1) tp++;
    else if (claimed) fp++;
    else if (labels[i] === 1) fn++;
  }
  return f1Score(tp, fp, fn);
}

/**
 * Area under the ROC curve by ranking (the Mann–Whitney U statistic): the probability that a
 * random positive scores above a random negative, ties counting half. NaN without both classes.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    // Tied scores share the average of the ranks they span (1-based ranks start+1 .. end).
    const averageRank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
