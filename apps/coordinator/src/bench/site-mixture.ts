/** How a generator's code prevalences split into a mix of the sites' case mixes. */
export interface SiteMixture {
  /** Least-squares weights w (Σ w = 1) with synthetic ≈ Σ w_k · site_k prevalences. */
  weights: number[];
  /** Each site's share of the pooled training records: the mix the pooled population has. */
  pooledShares: number[];
  /**
   * RMSE against the reference (pooled holdout) prevalences once the fitted mix is swapped for
   * the pooled one: what the generator would score if only its mix of sites were wrong.
   */
  rmseAtPooledMixture: number;
}

/** Root mean squared difference of two equally long vectors. */
export function rmse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += (a[j]! - b[j]!) ** 2;
  return Math.sqrt(sum / a.length);
}

/** Solves A x = b in place by Gaussian elimination with partial pivoting (A small and square). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!)) pivot = r;
    if (Math.abs(a[pivot]![col]!) < 1e-300) throw new RangeError('the sites\' prevalences are linearly dependent: the mixture is not identifiable');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = a[r]![col]! / a[col]![col]!;
      for (let c = col; c < n; c++) a[r]![c]! -= f * a[col]![c]!;
      b[r]! -= f * b[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r]![c]! * x[c]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}

/**
 * Fits synthetic ≈ Σ w_k site_k over the codes with Σ w = 1 (least squares, the last weight
 * eliminated), then scores the synthetic prevalences with that fitted mix replaced by the
 * pooled one. Separates "the federation mixed the sites in the wrong proportions" from every
 * other error in a generator's prevalences. Pure.
 */
export function siteMixture(input: { synthetic: ArrayLike<number>; sites: readonly ArrayLike<number>[]; siteRecords: readonly number[]; reference: ArrayLike<number> }): SiteMixture {
  const { synthetic, sites, siteRecords, reference } = input;
  const k = sites.length;
  if (k < 2 || siteRecords.length !== k) throw new RangeError(`need ≥ 2 sites with a record count each, got ${k} sites and ${siteRecords.length} counts`);
  const codes = synthetic.length;
  for (const p of [...sites, reference]) if (p.length !== codes) throw new RangeError(`every prevalence vector needs ${codes} codes, got ${p.length}`);
  const last = sites[k - 1]!;
  // y − last = Σ_{i<k−1} w_i (site_i − last): normal equations of size k − 1.
  const m = k - 1;
  const gram = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  const rhs = new Array<number>(m).fill(0);
  for (let j = 0; j < codes; j++) {
    const y = synthetic[j]! - last[j]!;
    for (let a = 0; a < m; a++) {
      const da = sites[a]![j]! - last[j]!;
      rhs[a]! += da * y;
      for (let b = 0; b < m; b++) gram[a]![b]! += da * (sites[b]![j]! - last[j]!);
    }
  }
  const head = solve(gram, rhs);
  const weights = [...head, 1 - head.reduce((s, w) => s + w, 0)];
  const total = siteRecords.reduce((s, n) => s + n, 0);
  const pooledShares = siteRecords.map((n) => n / total);
  const corrected = new Float64Array(codes);
  for (let j = 0; j < codes; j++) {
    let shift = 0;
    for (let i = 0; i < k; i++) shift += (pooledShares[i]! - weights[i]!) * sites[i]![j]!;
    corrected[j] = synthetic[j]! + shift;
  }
  return { weights, pooledShares, rmseAtPooledMixture: rmse(corrected, reference) };
}
