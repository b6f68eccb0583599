import { join } from 'node:path';
import { buildCohortModel, samplePatientCodes, type CohortModel, type CohortModelOptions, type PatientCodes } from './cohort-model';
import { icd9Category } from '../icd9-rollup';
import type { Icd9Entry } from './icd9';
import { loadIcd9Dictionary } from './icd9-dictionary';
import { createRng } from './prng';

const DEMO_DICTIONARY = join(__dirname, '../../../../../data/mimic-iii-demo/D_ICD_DIAGNOSES.csv');
let dictionary: Icd9Entry[];
beforeAll(async () => {
  dictionary = await loadIcd9Dictionary(DEMO_DICTIONARY);
});

const base: CohortModelOptions = { codes: 300, sites: 3, skew: 0.3, codesPerPatient: 11 };

function model(options: Partial<CohortModelOptions> = {}, seed = 1): CohortModel {
  return buildCohortModel({ ...base, dictionary, ...options }, createRng(seed));
}

/** `perSite` patients from each site, one stream. */
function cohort(m: CohortModel, perSite: number, seed = 2): PatientCodes[][] {
  const rng = createRng(seed);
  return m.sites.map((site) => Array.from({ length: perSite }, () => samplePatientCodes(m, site, rng)));
}

/** How many patients hold each code. */
function prevalence(patients: readonly PatientCodes[], V: number): Float64Array {
  const counts = new Float64Array(V);
  for (const p of patients) for (const c of p.codes) counts[c]++;
  return counts;
}

function totalVariation(a: Float64Array, b: Float64Array): number {
  const sa = a.reduce((s, x) => s + x, 0);
  const sb = b.reduce((s, x) => s + x, 0);
  let tv = 0;
  for (let j = 0; j < a.length; j++) tv += Math.abs(a[j] / sa - b[j] / sb);
  return tv / 2;
}

describe('buildCohortModel', () => {
  it('chooses V distinct dictionary codes that cluster into 3-character categories', () => {
    const m = model({ codes: 1071 });
    const codes = m.vocabulary.map((e) => e.code);
    expect(new Set(codes).size).toBe(1071);
    expect(codes).toEqual(codes.slice().sort());
    const known = new Set(dictionary.map((e) => e.code));
    expect(codes.every((c) => known.has(c))).toBe(true);
    // ~3.5 codes per category: roll-up merges real columns, as it does on MIMIC-III.
    expect(m.categories.length).toBeGreaterThan(200);
    expect(m.categories.length).toBeLessThan(500);
    expect(m.vocabulary.every((e, j) => m.categories[m.categoryOf[j]] === icd9Category(e.code))).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const a = model({}, 5);
    const b = model({}, 5);
    expect(a.vocabulary).toEqual(b.vocabulary);
    expect(a.groups).toEqual(b.groups);
    expect(cohort(a, 50)).toEqual(cohort(b, 50));
    expect(model({}, 6).vocabulary).not.toEqual(a.vocabulary);
  });

  it('synthesizes ICD-9-shaped codes without a dictionary', () => {
    const m = buildCohortModel(base, createRng(1));
    expect(m.vocabulary).toHaveLength(300);
    expect(m.vocabulary.every((e) => /^(\d{3}|V\d{2}|E\d{3})\d$/.test(e.code))).toBe(true);
  });

  it('defaults to min(40, V/25) comorbidity groups', () => {
    expect(model({ codes: 1071 }).groups).toHaveLength(40);
    expect(model({ codes: 300 }).groups).toHaveLength(12);
    expect(model({ groups: 3 }).groups).toHaveLength(3);
  });

  it('makes identical sites at skew 0', () => {
    const m = model({ skew: 0 });
    for (const site of m.sites.slice(1)) {
      expect(site.share).toBeCloseTo(1 / 3, 12);
      expect(Array.from(site.groupWeights)).toEqual(Array.from(m.sites[0].groupWeights));
      expect(Array.from(site.background.probabilities)).toEqual(Array.from(m.sites[0].background.probabilities));
    }
  });

  it('rejects impossible options', () => {
    expect(() => model({ codes: 1 })).toThrow('codes must be an integer ≥ 2');
    expect(() => model({ sites: 0 })).toThrow('sites must be an integer ≥ 1');
    expect(() => model({ skew: 1.5 })).toThrow('skew must be in [0, 1]');
    expect(() => model({ codesPerPatient: 200 })).toThrow('codesPerPatient must be in [1, codes / 2 = 150]');
    expect(() => model({ codes: 20000 })).toThrow('the dictionary has 14567 codes; cannot choose 20000');
  });
});

describe('samplePatientCodes', () => {
  const m = model({ codes: 300 });
  const patients = cohort(m, 1000).flat();

  it.each([11, 6])('averages the target of %p distinct codes per patient (±15%)', (target) => {
    const sample = target === 11 ? patients : cohort(model({ codesPerPatient: target }), 500).flat();
    const counts = sample.map((p) => p.codes.length);
    const mean = counts.reduce((s, n) => s + n, 0) / counts.length;
    expect(mean).toBeGreaterThan(target * 0.85);
    expect(mean).toBeLessThan(target * 1.15);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    // Heavy-ish right tail, as in MIMIC-III (demo: median 12, max 85).
    expect(Math.max(...counts)).toBeGreaterThan(3 * target);
  });

  it('never leaves an admission empty, even with a 2-code vocabulary', () => {
    const tiny = buildCohortModel({ codes: 2, sites: 1, skew: 0, codesPerPatient: 1 }, createRng(1));
    const sample = cohort(tiny, 300).flat();
    expect(sample.every((p) => p.admissions.length <= p.codes.length && p.admissions.every((a) => a.length > 0))).toBe(true);
  });

  it('spreads codes over 1–3 non-empty admissions, ~1.27 per patient', () => {
    // Collect violations instead of calling expect() per patient: thousands of expects are slow.
    const problems: string[] = [];
    patients.forEach((p, i) => {
      const sorted = (xs: readonly number[]) => xs.slice().sort((a, b) => a - b).join(' ');
      if (p.admissions.length < 1 || p.admissions.length > 3) problems.push(`${i}: ${p.admissions.length} admissions`);
      if (new Set(p.codes).size !== p.codes.length) problems.push(`${i}: repeated patient code`);
      if (sorted([...new Set(p.admissions.flat())]) !== sorted(p.codes)) problems.push(`${i}: admissions ≠ patient codes`);
      if (p.admissions.some((a) => a.length === 0 || new Set(a).size !== a.length)) problems.push(`${i}: empty or repeating admission`);
    });
    expect(problems).toEqual([]);
    const meanAdmissions = patients.reduce((s, p) => s + p.admissions.length, 0) / patients.length;
    expect(meanAdmissions).toBeGreaterThan(1.17);
    expect(meanAdmissions).toBeLessThan(1.37);
  });

  it('has heavy-tailed prevalence: the top 10% of codes carry over half the occurrences', () => {
    const counts = Array.from(prevalence(patients, 300)).sort((a, b) => b - a);
    const total = counts.reduce((s, x) => s + x, 0);
    const top = counts.slice(0, 30).reduce((s, x) => s + x, 0);
    expect(top / total).toBeGreaterThan(0.5);
    // The commonest code is in a sizeable minority of patients, not in everyone.
    expect(counts[0] / patients.length).toBeGreaterThan(0.15);
    expect(counts[0] / patients.length).toBeLessThan(0.6);
  });

  it('has comorbidity structure: some code pairs co-occur far more than chance', () => {
    const N = patients.length;
    const sets = patients.map((p) => new Set(p.codes));
    const single = prevalence(patients, 300);
    const lifts: number[] = [];
    for (const group of m.groups) {
      for (let i = 0; i < group.codes.length; i++) {
        for (let j = i + 1; j < group.codes.length; j++) {
          const a = group.codes[i];
          const b = group.codes[j];
          let both = 0;
          for (const s of sets) if (s.has(a) && s.has(b)) both++;
          if (both >= 20) lifts.push((both * N) / (single[a] * single[b]));
        }
      }
    }
    lifts.sort((x, y) => y - x);
    expect(lifts.length).toBeGreaterThan(10);
    expect(lifts[0]).toBeGreaterThan(10);
    expect(lifts.filter((l) => l > 3).length).toBeGreaterThan(5);
  });

  it('orders between-site differences by skew (total variation of code prevalence)', () => {
    const meanTv = (skew: number) => {
      const m2 = model({ skew, codes: 150 });
      const sites = cohort(m2, 1000).map((ps) => prevalence(ps, 150));
      return (totalVariation(sites[0], sites[1]) + totalVariation(sites[0], sites[2]) + totalVariation(sites[1], sites[2])) / 3;
    };
    const tv0 = meanTv(0);
    const tvMid = meanTv(0.3);
    const tv1 = meanTv(1);
    // At skew 0 only sampling noise separates the sites.
    expect(tv0).toBeLessThan(0.1);
    expect(tvMid).toBeGreaterThan(tv0);
    expect(tv1).toBeGreaterThan(tvMid);
    expect(tv1).toBeGreaterThan(3 * tv0);
  });
});
