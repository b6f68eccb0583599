import { rmse } from './site-mixture';

/**
 * Which mixture of the sites a generator's code prevalences follow: the arithmetic one,
 * Σ_s w_s·π_s (the pooled population, what a centralised generator aims at), or the
 * geometric one, σ(Σ_s w_s·logit π_s) per code (the product-of-Bernoullis form of
 * Π_s p_s^{w_s}, which FedAvg's generator follows when each site's discriminator holds it to that
 * site's case mix; libs/gan site-mean-correction.ts).
 * w_s are the sites' shares of the records.
 */
export interface MixtureKind {
  /** RMSE of the generated prevalences against the arithmetic mixture. */
  arithmeticRmse: number;
  /** RMSE against the geometric mixture. */
  geometricRmse: number;
  /** Least-squares fit generated ≈ a·arithmetic + g·geometric (no intercept). */
  fit: { arithmetic: number; geometric: number };
}

/** The two mixtures per code. Prevalences are kept ½ record inside (0, 1) at each site's size, so a code a site lacks has a finite logit. */
export function siteMixtures(sites: readonly ArrayLike<number>[], siteRecords: readonly number[]): { arithmetic: Float64Array; geometric: Float64Array } {
  if (sites.length < 2 || siteRecords.length !== sites.length) throw new RangeError(`need ≥ 2 sites with a record count each, got ${sites.length} sites and ${siteRecords.length} counts`);
  const codes = sites[0]!.length;
  for (const p of sites) if (p.length !== codes) throw new RangeError(`every site needs ${codes} prevalences, got ${p.length}`);
  const total = siteRecords.reduce((a, b) => a + b, 0);
  const arithmetic = new Float64Array(codes);
  const geometric = new Float64Array(codes);
  for (let j = 0; j < codes; j++) {
    let mean = 0;
    let logits = 0;
    sites.forEach((p, s) => {
      const w = siteRecords[s]! / total;
      const floor = 0.5 / (siteRecords[s]! + 1);
      const clamped = Math.min(1 - floor, Math.max(floor, p[j]!));
      mean += w * p[j]!;
      logits += w * Math.log(clamped / (1 - clamped));
    });
    arithmetic[j] = mean;
    geometric[j] = 1 / (1 + Math.exp(-logits));
  }
  return { arithmetic, geometric };
}

/** Pure: how close `generated` is to each mixture, and the two-term least-squares fit. */
export function mixtureKind(input: { generated: ArrayLike<number>; sites: readonly ArrayLike<number>[]; siteRecords: readonly number[] }): MixtureKind {
  const { arithmetic: a, geometric: g } = siteMixtures(input.sites, input.siteRecords);
  const q = input.generated;
  if (q.length !== a.length) throw new RangeError(`${q.length} generated prevalences for ${a.length} codes`);
  let aa = 0;
  let gg = 0;
  let ag = 0;
  let qa = 0;
  let qg = 0;
  for (let j = 0; j < q.length; j++) {
    aa += a[j]! * a[j]!;
    gg += g[j]! * g[j]!;
    ag += a[j]! * g[j]!;
    qa += q[j]! * a[j]!;
    qg += q[j]! * g[j]!;
  }
  const det = aa * gg - ag * ag;
  if (!(Math.abs(det) > 1e-300)) throw new RangeError('the two mixtures coincide: which one the generator follows cannot be told');
  return {
    arithmeticRmse: rmse(q, a),
    geometricRmse: rmse(q, g),
    fit: { arithmetic: (qa * gg - qg * ag) / det, geometric: (qg * aa - qa * ag) / det },
  };
}
