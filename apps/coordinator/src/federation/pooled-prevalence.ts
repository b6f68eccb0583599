/** One site's answer to a proposal that wanted code counts. */
export interface SiteCodeCounts {
  siteId: string;
  /** Per vocabulary code: the site's training records holding it. */
  counts: Float32Array;
  /** The site's training records. */
  records: number;
}

/**
 * Every site receives the pooled vector and knows its own counts: with two sites each could
 * subtract its own and read the other's. From three on, a site learns only the sum of the
 * others' counts (two sites colluding still learn the third's; README threat table).
 */
export const MIN_POOLED_SITES = 3;

export type PooledPrevalenceOutcome = { ok: true; prevalence: Float32Array; sites: number; records: number } | { ok: false; reason: string };

/**
 * The pooled prevalence of each code over the sites' training records, Σ counts ÷ Σ records:
 * what a centralised generator would be matched to. Each site's prevalences alone would pull
 * the shared generator towards that site's case mix (and away from codes other sites hold);
 * this target is the same at every site. Refuses fewer than MIN_POOLED_SITES sites, counts of another length than the
 * vocabulary, counts above a site's records and sites without records, naming the site. Pure.
 */
export function pooledPrevalence(reports: readonly SiteCodeCounts[], vocabularySize: number): PooledPrevalenceOutcome {
  if (reports.length < MIN_POOLED_SITES) {
    return { ok: false, reason: `${reports.length} site(s) sent code counts; pooling needs at least ${MIN_POOLED_SITES} (with fewer, a site could subtract its own counts from the pooled prevalences and read another's)` };
  }
  const sums = new Float64Array(vocabularySize);
  let records = 0;
  for (const { siteId, counts, records: n } of reports) {
    if (!(Number.isInteger(n) && n > 0)) return { ok: false, reason: `site ${siteId} sent code counts over ${n} training records` };
    if (counts.length !== vocabularySize) return { ok: false, reason: `site ${siteId} sent ${counts.length} code counts for a vocabulary of ${vocabularySize} codes` };
    for (let c = 0; c < vocabularySize; c++) {
      const k = counts[c];
      if (!(Number.isFinite(k) && k >= 0 && k <= n)) return { ok: false, reason: `site ${siteId} sent a count of ${k} for code ${c}, outside [0, ${n}] (its training records)` };
      sums[c] += k;
    }
    records += n;
  }
  const prevalence = new Float32Array(vocabularySize);
  for (let c = 0; c < vocabularySize; c++) prevalence[c] = sums[c] / records;
  return { ok: true, prevalence, sites: reports.length, records };
}
