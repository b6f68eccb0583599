import { createAliasTable, type AliasTable } from './alias-table';
import { icd9Category } from '../icd9-rollup';
import { icd9Chapter, synthesizeIcd9Dictionary, type Icd9Entry } from './icd9';
import type { Rng } from './prng';

/**
 * The generative model behind `fedsynth simulate`: which codes exist, how common each is,
 * which codes travel together (comorbidity groups), and how hospitals differ. Pure: everything
 * random comes from the Rng passed in, so a seed fixes the model and every patient.
 *
 * A patient is drawn in three steps:
 *  1. admissions A ∈ {1, 2, 3} and a code count n (negative binomial, mean grows with A, so
 *     the count has a heavy-ish right tail; overall mean = codesPerPatient, min 1);
 *  2. active disease groups (Poisson, chosen by the site's case mix), each contributing its
 *     member codes with high probability, which gives within-group co-occurrence;
 *  3. background codes from the site's heavy-tailed prevalence until the patient has n codes.
 * The codes are then spread across the admissions, chronic codes recurring.
 */

export interface CohortModelOptions {
  /** Vocabulary size V: distinct ICD-9 codes the cohort may use. */
  codes: number;
  /** Number of hospitals K. */
  sites: number;
  /** 0 = every site draws from the same distribution; 1 = very different case mixes. */
  skew: number;
  /** Target mean of distinct codes per patient (over all admissions). */
  codesPerPatient: number;
  /** Latent comorbidity groups; default scales with V (V / 25, between 2 and 40). */
  groups?: number;
  /** Source of real codes and titles; synthesized ICD-9-shaped codes when absent. */
  dictionary?: readonly Icd9Entry[];
}

export interface DiseaseGroup {
  /** Member code indices, the group's core code first. */
  readonly codes: Uint32Array;
  /** P(member appears | group active), aligned with `codes`. */
  readonly inclusion: Float64Array;
  /** The ICD-9 chapters most members were drawn from. */
  readonly chapters: readonly string[];
}

export interface SiteModel {
  /** Expected fraction of the cohort's patients treated here. */
  readonly share: number;
  /** Case mix: probability of each disease group when a group is drawn (sums to 1). */
  readonly groupWeights: Float64Array;
  /** Multiplier on codes per patient (hospital coding intensity); share-weighted mean is 1. */
  readonly codingIntensity: number;
  /** Expected codes one drawn group contributes, under this case mix. */
  readonly meanGroupYield: number;
  readonly groupSampler: AliasTable;
  /** Background code prevalence, the shared heavy-tailed base perturbed by skew. */
  readonly background: AliasTable;
}

export interface CohortModel {
  readonly vocabulary: readonly Icd9Entry[];
  /** Roll-up categories present in the vocabulary, sorted. */
  readonly categories: readonly string[];
  /** Index into `categories` for each vocabulary code. */
  readonly categoryOf: Uint32Array;
  /** Shared base prevalence weights (sum 1), Zipf–Mandelbrot over a random popularity order. */
  readonly basePrevalence: Float64Array;
  /** P(a code recurs in each further admission of the same patient): high for chronic codes. */
  readonly persistence: Float64Array;
  readonly groups: readonly DiseaseGroup[];
  readonly sites: readonly SiteModel[];
  readonly codesPerPatient: number;
  readonly skew: number;
}

/** A simulated patient's diagnoses: code indices into the model's vocabulary. */
export interface PatientCodes {
  /** Distinct codes over all admissions. */
  readonly codes: readonly number[];
  /** Each admission's codes in seq_num order (no repeats within an admission, none empty). */
  readonly admissions: readonly (readonly number[])[];
}

// Zipf–Mandelbrot 1/(rank + q)^s. The offset q flattens the head so the commonest code sits
// in roughly a third of patients (MIMIC-III's 401.9 hypertension: ~36% of the demo's patients)
// while the tail stays heavy.
const ZIPF_EXPONENT = 1.1;
const ZIPF_OFFSET = 6;
/** Weight of the shared category effect on popularity, so whole categories are common or rare. */
const CATEGORY_POPULARITY = 0.8;
/** Codes per chosen category: 1 + Poisson(mean), so codes cluster into roll-up categories. */
const EXTRA_CODES_PER_CATEGORY = 2.5;
/** MIMIC-III: 58,976 admissions for 46,520 patients ≈ 1.27 per patient. */
const ADMISSION_COUNT_PROBS = [0.8, 0.13, 0.07];
/** Patients with more admissions carry proportionally more diagnoses. */
const ADMISSION_BURDEN = [1, 1.6, 2.1];
/** Negative binomial shape of the code count: smaller = heavier tail. */
const COUNT_DISPERSION = 3;
/** Expected fraction of a patient's codes that come from comorbidity groups. */
const GROUP_SHARE = 0.6;
/** Group size 2 + Poisson(mean). */
const GROUP_EXTRA_SIZE = 5;
/** Fraction of a group's members drawn from its anchor chapters. */
const GROUP_CHAPTER_FOCUS = 0.75;
/** Dirichlet concentrations: shared case mix (moderately uneven) and site-specific (sparse). */
const SHARED_MIX_ALPHA = 1;
const SITE_MIX_ALPHA = 0.3;
/** Log-normal sd of site perturbations at skew = 1. */
const SITE_PREVALENCE_SD = 1;
const SITE_SIZE_SD = 0.5;
const SITE_INTENSITY_SD = 0.2;
/** Chapters whose conditions are mostly chronic (metabolic, mental, circulatory, renal, status V-codes). */
const CHRONIC_CHAPTERS = new Set(['240-279', '290-319', '390-459', '580-629', 'V']);
/**
 * P(a code is re-coded in each other admission). Tuned so diagnosis rows ≈ 1.18 × distinct
 * patient codes, as in the MIMIC-III demo (1,761 rows, 1,489 distinct patient–code pairs).
 */
const CHRONIC_PERSISTENCE = 0.9;
const ACUTE_PERSISTENCE = 0.25;

export function defaultGroupCount(codes: number): number {
  return Math.min(40, Math.max(2, Math.round(codes / 25)));
}

export function buildCohortModel(options: CohortModelOptions, rng: Rng): CohortModel {
  const { codes: V, sites: K, skew, codesPerPatient } = options;
  if (!Number.isInteger(V) || V < 2) throw new RangeError(`codes must be an integer ≥ 2, got ${V}`);
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`sites must be an integer ≥ 1, got ${K}`);
  if (!(skew >= 0 && skew <= 1)) throw new RangeError(`skew must be in [0, 1], got ${skew}`);
  if (!(codesPerPatient >= 1 && codesPerPatient <= V / 2)) {
    throw new RangeError(`codesPerPatient must be in [1, codes / 2 = ${V / 2}], got ${codesPerPatient}`);
  }
  const G = options.groups ?? defaultGroupCount(V);
  if (!Number.isInteger(G) || G < 1) throw new RangeError(`groups must be an integer ≥ 1, got ${G}`);

  const dictionary = options.dictionary ?? synthesizeIcd9Dictionary(V);
  const vocabulary = chooseVocabulary(dictionary, V, rng);
  const categories = Array.from(new Set(vocabulary.map((e) => icd9Category(e.code)))).sort();
  const categoryIndex = new Map(categories.map((c, i) => [c, i]));
  const categoryOf = Uint32Array.from(vocabulary, (e) => categoryIndex.get(icd9Category(e.code)) as number);

  const basePrevalence = heavyTailedPrevalence(categoryOf, categories.length, rng);
  const chapters = vocabulary.map((e) => icd9Chapter(e.code));
  const persistence = Float64Array.from(chapters, (chapter) => {
    const chronic = rng.bernoulli(CHRONIC_CHAPTERS.has(chapter) ? 0.6 : 0.15);
    return chronic ? CHRONIC_PERSISTENCE : ACUTE_PERSISTENCE;
  });
  const groups = buildGroups(G, basePrevalence, chapters, rng);
  const sites = buildSites(K, skew, groups, basePrevalence, rng);
  return { vocabulary, categories, categoryOf, basePrevalence, persistence, groups, sites, codesPerPatient, skew };
}

/**
 * V dictionary codes clustered into categories: categories in random order, 1 + Poisson(2.5)
 * codes from each, until V codes are chosen (a second pass tops up if the dictionary's
 * categories run out). Returned sorted by code so column order is stable and readable.
 */
function chooseVocabulary(dictionary: readonly Icd9Entry[], V: number, rng: Rng): Icd9Entry[] {
  if (dictionary.length < V) {
    throw new RangeError(`the dictionary has ${dictionary.length} codes; cannot choose ${V}`);
  }
  const byCategory = new Map<string, Icd9Entry[]>();
  for (const entry of dictionary) {
    const category = icd9Category(entry.code);
    const list = byCategory.get(category);
    if (list) list.push(entry);
    else byCategory.set(category, [entry]);
  }
  const pools = rng.shuffle(Array.from(byCategory.values())).map((list) => rng.shuffle(list.slice()));
  const chosen: Icd9Entry[] = [];
  const taken = new Array<number>(pools.length).fill(0);
  for (let i = 0; i < pools.length && chosen.length < V; i++) {
    const k = Math.min(pools[i].length, 1 + rng.poisson(EXTRA_CODES_PER_CATEGORY), V - chosen.length);
    for (let j = 0; j < k; j++) chosen.push(pools[i][j]);
    taken[i] = k;
  }
  for (let i = 0; i < pools.length && chosen.length < V; i++) {
    for (let j = taken[i]; j < pools[i].length && chosen.length < V; j++) chosen.push(pools[i][j]);
  }
  return chosen.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * Zipf–Mandelbrot weights over a random popularity order. The order mixes a per-category
 * effect with per-code noise, so after roll-up the category prevalence is heavy-tailed too.
 */
function heavyTailedPrevalence(categoryOf: Uint32Array, categoryCount: number, rng: Rng): Float64Array {
  const V = categoryOf.length;
  const categoryEffect = Float64Array.from({ length: categoryCount }, () => rng.normal());
  const score = Float64Array.from({ length: V }, (_, j) => CATEGORY_POPULARITY * categoryEffect[categoryOf[j]] + rng.normal());
  const order = Array.from({ length: V }, (_, j) => j).sort((a, b) => score[b] - score[a] || a - b);
  const weights = new Float64Array(V);
  let total = 0;
  order.forEach((code, rank) => {
    weights[code] = 1 / Math.pow(rank + 1 + ZIPF_OFFSET, ZIPF_EXPONENT);
    total += weights[code];
  });
  for (let j = 0; j < V; j++) weights[j] /= total;
  return weights;
}

/**
 * Comorbidity groups. Members are drawn in proportion to base prevalence, so common codes
 * (hypertension, heart failure) belong to many groups as they do clinically, and mostly from
 * one or two anchor chapters so a group reads like a coherent condition cluster.
 */
function buildGroups(G: number, prevalence: Float64Array, chapters: readonly string[], rng: Rng): DiseaseGroup[] {
  const V = prevalence.length;
  const global = createAliasTable(prevalence);
  const chapterNames = Array.from(new Set(chapters)).sort();
  const chapterCodes = new Map<string, number[]>(chapterNames.map((c) => [c, []]));
  chapters.forEach((chapter, j) => (chapterCodes.get(chapter) as number[]).push(j));
  const chapterWeight = chapterNames.map((c) => (chapterCodes.get(c) as number[]).reduce((s, j) => s + prevalence[j], 0));
  const chapterPicker = createAliasTable(chapterWeight);
  const chapterTables = new Map<string, { codes: number[]; table: AliasTable }>();
  const tableFor = (chapter: string) => {
    let entry = chapterTables.get(chapter);
    if (!entry) {
      const codes = chapterCodes.get(chapter) as number[];
      entry = { codes, table: createAliasTable(codes.map((j) => prevalence[j])) };
      chapterTables.set(chapter, entry);
    }
    return entry;
  };

  const maxSize = Math.max(2, Math.floor(V / 3));
  const groups: DiseaseGroup[] = [];
  for (let g = 0; g < G; g++) {
    const anchors = [chapterNames[chapterPicker.sample(rng)]];
    if (rng.bernoulli(0.3)) {
      const second = chapterNames[chapterPicker.sample(rng)];
      if (second !== anchors[0]) anchors.push(second);
    }
    const size = Math.min(maxSize, 2 + rng.poisson(GROUP_EXTRA_SIZE));
    const members: number[] = [];
    const inGroup = new Set<number>();
    // Rejection of repeats, bounded: small chapters may not hold `size` distinct codes.
    for (let attempt = 0; members.length < size && attempt < size * 50; attempt++) {
      let code: number;
      if (rng.bernoulli(GROUP_CHAPTER_FOCUS)) {
        const { codes, table } = tableFor(anchors[rng.int(anchors.length)]);
        code = codes[table.sample(rng)];
      } else {
        code = global.sample(rng);
      }
      if (!inGroup.has(code)) {
        inGroup.add(code);
        members.push(code);
      }
    }
    // The core code (first) is nearly always present; the rest are frequent companions.
    const inclusion = Float64Array.from(members, (_, i) => (i === 0 ? 0.85 + 0.1 * rng.next() : 0.2 + 0.7 * Math.pow(rng.next(), 0.8)));
    groups.push({ codes: Uint32Array.from(members), inclusion, chapters: anchors });
  }
  return groups;
}

/** Per-site case mix, background prevalence, size and coding intensity, all interpolated by skew. */
function buildSites(K: number, skew: number, groups: readonly DiseaseGroup[], base: Float64Array, rng: Rng): SiteModel[] {
  const G = groups.length;
  const V = base.length;
  const sharedMix = dirichlet(G, SHARED_MIX_ALPHA, rng);
  const groupYield = groups.map((g) => g.inclusion.reduce((s, q) => s + q, 0));

  const rawShares = Array.from({ length: K }, () => Math.exp(skew * SITE_SIZE_SD * rng.normal()));
  const shareTotal = rawShares.reduce((s, x) => s + x, 0);
  const shares = rawShares.map((x) => x / shareTotal);
  const rawIntensity = Array.from({ length: K }, () => Math.exp(skew * SITE_INTENSITY_SD * rng.normal()));
  const meanIntensity = rawIntensity.reduce((s, x, k) => s + x * shares[k], 0);

  return shares.map((share, k) => {
    const own = dirichlet(G, SITE_MIX_ALPHA, rng);
    const groupWeights = Float64Array.from(sharedMix, (w, g) => (1 - skew) * w + skew * own[g]);
    const meanGroupYield = groupWeights.reduce((s, w, g) => s + w * groupYield[g], 0);
    // Draw the noise even at skew 0 so the stream (and thus the patients) does not depend on it.
    const background = new Float64Array(V);
    for (let j = 0; j < V; j++) background[j] = base[j] * Math.exp(skew * SITE_PREVALENCE_SD * rng.normal());
    return {
      share,
      groupWeights,
      codingIntensity: rawIntensity[k] / meanIntensity,
      meanGroupYield,
      groupSampler: createAliasTable(groupWeights),
      background: createAliasTable(background),
    };
  });
}

/** A Dirichlet(α, …, α) draw via normalised gammas. */
function dirichlet(n: number, alpha: number, rng: Rng): Float64Array {
  const x = Float64Array.from({ length: n }, () => rng.gamma(alpha));
  const total = x.reduce((s, v) => s + v, 0);
  // A total of 0 needs every gamma to underflow; fall back to uniform rather than NaN.
  return total > 0 ? x.map((v) => v / total) : x.fill(1 / n);
}

/** Draws one patient of a site. */
export function samplePatientCodes(model: CohortModel, site: SiteModel, rng: Rng): PatientCodes {
  const V = model.vocabulary.length;
  const drawnAdmissions = sampleAdmissionCount(rng);
  const count = sampleCodeCount(model.codesPerPatient * site.codingIntensity, drawnAdmissions, rng);
  // Every admission needs a code of its own; only a vocabulary smaller than 3 can cap this.
  const target = Math.min(V, Math.max(drawnAdmissions, count));
  const admissionCount = Math.min(drawnAdmissions, target);

  const codes: number[] = [];
  const present = new Set<number>();
  const add = (code: number) => {
    if (!present.has(code)) {
      present.add(code);
      codes.push(code);
    }
  };

  // Comorbidity groups: more codes → more active groups, so burden and multimorbidity agree.
  const groupCount = Math.min(model.groups.length, rng.poisson((GROUP_SHARE * target) / site.meanGroupYield));
  const active = new Set<number>();
  for (let attempt = 0; active.size < groupCount && attempt < groupCount * 20; attempt++) {
    active.add(site.groupSampler.sample(rng));
  }
  for (const g of active) {
    const group = model.groups[g];
    for (let i = 0; i < group.codes.length && codes.length < target; i++) {
      if (rng.bernoulli(group.inclusion[i])) add(group.codes[i]);
    }
  }

  // Background codes fill up to the target; rejection of repeats, then a uniform sweep of the
  // remaining codes for the rare case (tiny V) where rejection keeps hitting present codes.
  for (let attempt = 0; codes.length < target && attempt < target * 30; attempt++) add(site.background.sample(rng));
  if (codes.length < target) {
    const missing = [];
    for (let j = 0; j < V; j++) if (!present.has(j)) missing.push(j);
    rng.shuffle(missing);
    for (let i = 0; codes.length < target; i++) add(missing[i]);
  }

  return { codes, admissions: spreadOverAdmissions(codes, admissionCount, model.persistence, rng) };
}

function sampleAdmissionCount(rng: Rng): number {
  const u = rng.next();
  let acc = 0;
  for (let a = 0; a < ADMISSION_COUNT_PROBS.length; a++) {
    acc += ADMISSION_COUNT_PROBS[a];
    if (u < acc) return a + 1;
  }
  return ADMISSION_COUNT_PROBS.length;
}

const MEAN_BURDEN = ADMISSION_COUNT_PROBS.reduce((s, p, a) => s + p * ADMISSION_BURDEN[a], 0);

/** 1 + NegBin with mean (mean·burden(A)/E[burden]) − 1, so the overall mean is `mean`. */
function sampleCodeCount(mean: number, admissionCount: number, rng: Rng): number {
  const m = (mean * ADMISSION_BURDEN[admissionCount - 1]) / MEAN_BURDEN - 1;
  if (m <= 0) return 1;
  return 1 + rng.poisson(rng.gamma(COUNT_DISPERSION, m / COUNT_DISPERSION));
}

/**
 * Each code is diagnosed in one admission (every admission gets at least one); chronic codes
 * are then re-coded in later and earlier stays with their persistence probability, as
 * hypertension or diabetes are on every discharge summary. Order within an admission is
 * random: seq_num carries no model meaning here.
 */
function spreadOverAdmissions(codes: readonly number[], count: number, persistence: Float64Array, rng: Rng): number[][] {
  const admissions: number[][] = Array.from({ length: count }, () => []);
  if (count === 1) {
    admissions[0] = rng.shuffle(codes.slice());
    return admissions;
  }
  const order = rng.shuffle(codes.slice());
  order.forEach((code, i) => {
    const home = i < count ? i : rng.int(count);
    for (let a = 0; a < count; a++) {
      if (a === home || rng.bernoulli(persistence[code])) admissions[a].push(code);
    }
  });
  return admissions.map((list) => rng.shuffle(list));
}
