/**
 * How many patients each folder gets: the holdout takes round(total × fraction) (at least one
 * when the fraction is positive) and the rest is split across sites by their expected shares
 * with largest-remainder rounding, every site getting at least one patient.
 */
export interface CohortSplit {
  readonly sitePatients: readonly number[];
  readonly holdoutPatients: number;
}

export function splitPatients(total: number, holdoutFraction: number, shares: readonly number[]): CohortSplit {
  const K = shares.length;
  const holdoutPatients = holdoutFraction > 0 ? Math.max(1, Math.round(total * holdoutFraction)) : 0;
  const sitesTotal = total - holdoutPatients;
  if (sitesTotal < K) {
    throw new RangeError(`${total} patients leave ${sitesTotal} for ${K} sites after a holdout of ${holdoutPatients}; need at least one per site`);
  }
  const shareSum = shares.reduce((s, x) => s + x, 0);
  // One patient per site up front, the remainder by share.
  const spare = sitesTotal - K;
  const exact = shares.map((s) => (spare * s) / shareSum);
  const counts = exact.map((x) => 1 + Math.floor(x));
  let left = sitesTotal - counts.reduce((s, x) => s + x, 0);
  const byRemainder = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let i = 0; left > 0; i = (i + 1) % K, left--) counts[byRemainder[i][1]]++;
  return { sitePatients: counts, holdoutPatients };
}
