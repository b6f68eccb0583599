import type { BinaryMatrix } from '../../data/binary-matrix';
import { createRng, deriveSeed, type Rng } from '../../data/simulate/prng';
import { prevalence } from '../prevalence';
import { forEachBernoulliSuccess } from './bernoulli-sampling';
import { matrixFromColumnMajorPairs } from './matrix-from-pairs';

/**
 * A mixture of independent Bernoullis: a record picks a component k with probability
 * weights[k], then holds each code c independently with probability θ_ck. With ~40 components
 * it captures the main comorbidity clusters — the classic simple model a GAN has to beat.
 */
export interface BernoulliMixture {
  readonly components: number;
  readonly cols: number;
  readonly weights: Float64Array;
  /** θ_ck at [c · components + k]: a code's probabilities sit together, as the E-step reads them. */
  readonly probabilities: Float64Array;
}

export interface MixtureOptions {
  /** Number of components (default 40; at most one per training record). */
  components?: number;
  /** EM iterations at most (default 50). */
  iterations?: number;
  /** Stop once the mean log-likelihood per record improves by less than this (default 1e-3 nats). */
  tolerance?: number;
  /** Pseudo-records pulling each θ_ck towards the code's overall prevalence (default 1). */
  smoothing?: number;
  seed?: number;
}

export interface MixtureFit {
  model: BernoulliMixture;
  /** Mean log-likelihood per record before each M-step; non-decreasing up to the smoothing prior. */
  logLikelihood: number[];
}

/** Keeps logarithms finite for θ at 0 or 1 without changing sampled probabilities. */
const LOG_FLOOR = 1e-12;

/**
 * k records to start the components from, chosen as k-means++ does: each next record with
 * probability proportional to its squared Hamming distance from the closest one already chosen.
 * Random starts often put two components in one cluster and none in another, and EM rarely
 * recovers from that; spread-out starts cover the clusters from the first iteration.
 */
function spreadOutRecords(train: BinaryMatrix, k: number, rng: Rng): number[] {
  const n = train.rows;
  const closest = new Float64Array(n).fill(Infinity);
  const marked = new Uint8Array(train.cols);
  const chosen = [rng.int(n)];
  while (chosen.length < k) {
    const last = chosen[chosen.length - 1];
    const lastStart = train.offsets[last];
    const lastEnd = train.offsets[last + 1];
    for (let p = lastStart; p < lastEnd; p++) marked[train.indices[p]] = 1;
    let total = 0;
    for (let r = 0; r < n; r++) {
      let shared = 0;
      for (let p = train.offsets[r]; p < train.offsets[r + 1]; p++) shared += marked[train.indices[p]];
      const d = train.offsets[r + 1] - train.offsets[r] + (lastEnd - lastStart) - 2 * shared;
      if (d * d < closest[r]) closest[r] = d * d;
      total += closest[r];
    }
    for (let p = lastStart; p < lastEnd; p++) marked[train.indices[p]] = 0;
    // Every record equals a chosen one: any further start is as good as another.
    if (total === 0) {
      chosen.push(rng.int(n));
      continue;
    }
    let u = rng.next() * total;
    let r = 0;
    while (r < n - 1 && u >= closest[r]) u -= closest[r++];
    chosen.push(r);
  }
  return chosen;
}

/**
 * Fits the mixture by expectation–maximisation over the sparse records. Per iteration the work is
 * records × components × codes-per-record (the absent codes enter through a per-component
 * constant Σ_c log(1 − θ_ck)), so 20,000 records × 40 components is a few million operations.
 * Components start at spread-out records blended half-way with the overall prevalences.
 */
export function fitBernoulliMixture(train: BinaryMatrix, options: MixtureOptions = {}): MixtureFit {
  const rng = createRng(options.seed ?? 1);
  const n = train.rows;
  const cols = train.cols;
  const K = Math.max(1, Math.min(options.components ?? 40, n));
  const iterations = options.iterations ?? 50;
  const tolerance = options.tolerance ?? 1e-3;
  const smoothing = options.smoothing ?? 1;
  const overall = prevalence(train);

  const weights = new Float64Array(K).fill(1 / K);
  const theta = new Float64Array(cols * K);
  const starts = n > 0 ? spreadOutRecords(train, K, rng) : [];
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < cols; c++) theta[c * K + k] = overall[c] / 2;
    const r = starts[k];
    if (r === undefined) continue;
    for (let p = train.offsets[r]; p < train.offsets[r + 1]; p++) theta[train.indices[p] * K + k] += 0.5;
  }

  const logLikelihood: number[] = [];
  const base = new Float64Array(K);
  const logOdds = new Float64Array(cols * K);
  const scores = new Float64Array(K);
  const activeComponents = new Int32Array(K);
  const mass = new Float64Array(K);
  const codeMass = new Float64Array(cols * K);
  for (let iteration = 0; iteration < iterations && n > 0; iteration++) {
    // E-step constants: log w_k + Σ_c log(1 − θ_ck), and per code the log-odds log θ − log(1 − θ).
    for (let k = 0; k < K; k++) base[k] = Math.log(Math.max(weights[k], LOG_FLOOR));
    for (let i = 0; i < cols * K; i++) {
      const absent = Math.log(Math.max(1 - theta[i], LOG_FLOOR));
      base[i % K] += absent;
      logOdds[i] = Math.log(Math.max(theta[i], LOG_FLOOR)) - absent;
    }
    mass.fill(0);
    codeMass.fill(0);
    let total = 0;
    for (let r = 0; r < n; r++) {
      scores.set(base);
      for (let p = train.offsets[r]; p < train.offsets[r + 1]; p++) {
        const row = train.indices[p] * K;
        for (let k = 0; k < K; k++) scores[k] += logOdds[row + k];
      }
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (scores[k] > max) max = scores[k];
      // A record soon belongs almost wholly to one or two components; responsibilities below
      // e^-30 (~1e-13) change no estimate, so they are dropped and the M-step sums skip them.
      let sum = 0;
      let active = 0;
      for (let k = 0; k < K; k++) {
        const gap = scores[k] - max;
        if (gap > -30) {
          scores[k] = Math.exp(gap);
          sum += scores[k];
          activeComponents[active++] = k;
        }
      }
      total += max + Math.log(sum);
      for (let a = 0; a < active; a++) {
        const k = activeComponents[a];
        scores[k] /= sum;
        mass[k] += scores[k];
      }
      for (let p = train.offsets[r]; p < train.offsets[r + 1]; p++) {
        const row = train.indices[p] * K;
        for (let a = 0; a < active; a++) {
          const k = activeComponents[a];
          codeMass[row + k] += scores[k];
        }
      }
    }
    logLikelihood.push(total / n);
    // M-step with a light prior: weights towards uniform, θ towards the overall prevalence, so an
    // emptied component stays a valid (population-like) component instead of dividing by zero.
    for (let k = 0; k < K; k++) weights[k] = (mass[k] + 1) / (n + K);
    for (let c = 0; c < cols; c++) {
      for (let k = 0; k < K; k++) {
        theta[c * K + k] = (codeMass[c * K + k] + smoothing * overall[c]) / (mass[k] + smoothing);
      }
    }
    const length = logLikelihood.length;
    if (length >= 2 && logLikelihood[length - 1] - logLikelihood[length - 2] < tolerance) break;
  }
  return { model: { components: K, cols, weights, probabilities: theta }, logLikelihood };
}

/** `rows` records drawn from the mixture. */
export function sampleBernoulliMixture(model: BernoulliMixture, rows: number, seed: number): BinaryMatrix {
  const rng = createRng(seed);
  const K = model.components;
  const members: number[][] = Array.from({ length: K }, () => []);
  for (let r = 0; r < rows; r++) {
    let u = rng.next();
    let k = 0;
    while (k < K - 1 && u >= model.weights[k]) u -= model.weights[k++];
    members[k].push(r);
  }
  const pairRows: number[] = [];
  const pairCols: number[] = [];
  for (let c = 0; c < model.cols; c++) {
    for (let k = 0; k < K; k++) {
      const group = members[k];
      forEachBernoulliSuccess(group.length, model.probabilities[c * K + k], rng, (i) => {
        pairRows.push(group[i]);
        pairCols.push(c);
      });
    }
  }
  return matrixFromColumnMajorPairs(rows, model.cols, pairRows, pairCols);
}

/** The mixture baseline: fit on the training records, then draw `rows` records. */
export function bernoulliMixtureBaseline(train: BinaryMatrix, rows: number, options: MixtureOptions = {}): BinaryMatrix {
  const { model } = fitBernoulliMixture(train, options);
  return sampleBernoulliMixture(model, rows, deriveSeed(options.seed ?? 1, 1));
}
