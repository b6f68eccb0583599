import {
  composeRdp,
  DEFAULT_RDP_ORDERS,
  dpSampleRate,
  dpStepsPerEpoch,
  epsilonFromRdp,
  validateBudget,
  type PrivacyBudget,
  type SampledGaussianSegment,
} from '@fedsynth/gan';
import type { DpSettings, PrivacySpent, TrainOptions, TrainTask } from '@fedsynth/protocol';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** δ of the ε reported by a site without a budget of its own (it still counts what it spends). */
export const DEFAULT_REPORT_DELTA = 1e-5;

/** What a site does with one TrainTask, privacy-wise. */
export type TaskPlan =
  /** Train without DP: the site has no budget and the task asks for none. */
  | { readonly kind: 'plain' }
  /** Train with DP-SGD at sampling rate q; `segment` is what the task will spend, `after` the site's total then. */
  /** (`releases`: one-off releases the task needs first, e.g. the noisy prevalences for marginal matching.) */
  | {
      readonly kind: 'dp';
      readonly dp: DpSettings;
      readonly sampleRate: number;
      readonly segment: SampledGaussianSegment;
      readonly releases: readonly SampledGaussianSegment[];
      readonly after: PrivacySpent;
    }
  /** Refuse with PRIVACY_BUDGET_EXCEEDED, saying why. */
  | { readonly kind: 'refuse'; readonly reason: string };

function format(epsilon: number): string {
  return Number.isFinite(epsilon) ? epsilon.toFixed(3) : '∞';
}

/**
 * The DP-SGD steps a task will take on `records` records: each local epoch is ⌈1/q⌉
 * Poisson batches, and every batch is one private step of the network that sees records
 * (the discriminator in GAN rounds, the autoencoder in pre-training rounds), exactly as
 * libs/gan's train() counts them under dp. A round of local steps takes exactly that many.
 */
export function plannedSegment(dp: DpSettings, work: Pick<TrainOptions, 'localEpochs' | 'localSteps'>, records: number): SampledGaussianSegment {
  const sampleRate = dpSampleRate(dp.expectedBatchSize, records);
  const steps = work.localSteps ?? work.localEpochs * dpStepsPerEpoch(sampleRate);
  return { sampleRate, noiseMultiplier: dp.noiseMultiplier, steps };
}

/**
 * A site's privacy accountant over everything it releases from its records, across every
 * round of every run: the noisy vocabulary counts and each DP-SGD task (RDP of the
 * subsampled Gaussian mechanism, composed, then converted to (ε, δ) once).
 *
 * With a budget, the site refuses a task whose planned steps would take ε above it, and a
 * task without DP (its records would be trained on without any guarantee). A task it
 * accepts is charged at once, before it trains: the charge is what the task may spend,
 * so two queued tasks can never both fit in what only one of them fits in.
 */
export class SitePrivacyLedger {
  private readonly segments: SampledGaussianSegment[] = [];
  /** Σ steps·RDP(α) of every charge, at DEFAULT_RDP_ORDERS: RDP composes by addition. */
  private readonly total = DEFAULT_RDP_ORDERS.map(() => 0);
  /**
   * One step's RDP curve per (q, σ): the costly part of the accountant (series over 156
   * orders), the same for every round of a run, so computed once. The site agent shares its
   * event loop with the socket, so a plan must stay cheap.
   */
  private readonly curves = new Map<string, number[]>();
  private dpSteps = 0;
  readonly delta: number;

  /**
   * `file`: where the charges are kept across restarts of the agent (JSON, rewritten
   * atomically after every charge and read back at construction), so a restarted site
   * cannot spend its budget twice. Without it the ledger lives in memory only.
   */
  constructor(
    readonly budget?: PrivacyBudget,
    private readonly file?: string,
  ) {
    if (budget) validateBudget(budget);
    this.delta = budget?.delta ?? DEFAULT_REPORT_DELTA;
    if (file && existsSync(file)) this.load(file);
  }

  /** ε (at the site's δ) of everything charged so far, with the DP-SGD steps taken. */
  spent(): PrivacySpent {
    return { epsilon: this.epsilonOf(this.total), delta: this.delta, steps: this.dpSteps };
  }

  /** ε (at the site's δ) if `segment` were charged on top of everything so far; charges nothing. */
  epsilonWith(segment: SampledGaussianSegment): number {
    return this.epsilonOf(this.withSegment(segment));
  }

  /** Every charge so far (for a ledger file, and tests). */
  history(): readonly SampledGaussianSegment[] {
    return [...this.segments];
  }

  /**
   * What the site does with `task` on `records` training records. Pure: charge() commits a dp
   * plan. `releases`: one-off releases the task needs before it trains (planned and charged
   * with it, so a task is refused whole rather than half-charged).
   */
  plan(task: Pick<TrainTask, 'dp' | 'options' | 'round' | 'phase'>, records: number, releases: readonly SampledGaussianSegment[] = []): TaskPlan {
    const dp = task.dp;
    if (!dp) {
      if (!this.budget) return { kind: 'plain' };
      return {
        kind: 'refuse',
        reason:
          `this site has a privacy budget (ε = ${this.budget.epsilon}, δ = ${this.budget.delta}) and trains only with differential privacy, ` +
          `but round ${task.round} (${task.phase}) comes without DP settings: its records would be trained on without any guarantee; create the run with dp`,
      };
    }
    const segment = plannedSegment(dp, task.options, records);
    const epsilonAfter = this.epsilonOf(this.withSegments([segment, ...releases]));
    if (this.budget && !(epsilonAfter <= this.budget.epsilon)) {
      return {
        kind: 'refuse',
        reason:
          `privacy budget exceeded: round ${task.round} (${task.phase}, ${segment.steps} DP-SGD steps at q = ${segment.sampleRate.toFixed(4)}, σ = ${dp.noiseMultiplier}) ` +
          `${releases.length > 0 ? `plus its one-off prevalence release (z = ${releases.map((r) => r.noiseMultiplier).join(', ')}) ` : ''}` +
          `would bring this site's ε from ${format(this.spent().epsilon)} spent to ${format(epsilonAfter)} planned, ` +
          `above its budget ε = ${this.budget.epsilon} (δ = ${this.budget.delta})`,
      };
    }
    const after = { epsilon: epsilonAfter, delta: this.delta, steps: this.dpSteps + segment.steps };
    return { kind: 'dp', dp, sampleRate: segment.sampleRate, segment, releases, after };
  }

  /** Records an accepted plan's spend (before training: what it may spend is spent). */
  charge(plan: Extract<TaskPlan, { kind: 'dp' }>): void {
    for (const release of plan.releases) this.add(release);
    this.dpSteps += plan.segment.steps;
    this.add(plan.segment);
  }

  /** Records a release other than DP-SGD (the noisy vocabulary counts). */
  chargeRelease(segment: SampledGaussianSegment): void {
    this.add(segment);
  }

  private add(segment: SampledGaussianSegment): void {
    const next = this.withSegment(segment);
    next.forEach((value, i) => (this.total[i] = value));
    this.segments.push(segment);
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, JSON.stringify({ format: 'fedsynth-privacy-ledger', version: 1, dpSteps: this.dpSteps, segments: this.segments }, null, 2) + '\n');
    renameSync(temp, this.file);
  }

  private load(file: string): void {
    let parsed: { format?: unknown; dpSteps?: unknown; segments?: unknown };
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
    } catch (error) {
      throw new Error(`privacy ledger ${file} is not readable JSON (${(error as Error).message}); restore it rather than start from zero`);
    }
    if (parsed.format !== 'fedsynth-privacy-ledger' || !Array.isArray(parsed.segments) || typeof parsed.dpSteps !== 'number') {
      throw new Error(`privacy ledger ${file} is not a fedsynth privacy ledger`);
    }
    const segments = parsed.segments as SampledGaussianSegment[];
    // Validated by composing: a damaged segment fails here, naming its index.
    composeRdp(segments);
    // The DP-SGD steps are a part of the charged steps: anything else is a damaged or edited file.
    const charged = segments.reduce((total, segment) => total + segment.steps, 0);
    if (!Number.isSafeInteger(parsed.dpSteps) || parsed.dpSteps < 0 || parsed.dpSteps > charged) {
      throw new Error(`privacy ledger ${file} says ${parsed.dpSteps} DP-SGD steps were taken, but its charges hold ${charged} steps in all; restore the file rather than start from zero`);
    }
    for (const segment of segments) {
      const next = this.withSegment(segment);
      next.forEach((value, i) => (this.total[i] = value));
      this.segments.push(segment);
    }
    this.dpSteps = parsed.dpSteps;
  }

  /** The total RDP curve if all of `segments` were added. */
  private withSegments(segments: readonly SampledGaussianSegment[]): number[] {
    let total = this.total;
    for (const segment of segments) total = this.withSegment(segment, total);
    return total;
  }

  /** The total RDP curve if `segment` were added (to `base`, by default everything so far). */
  private withSegment(segment: SampledGaussianSegment, base: readonly number[] = this.total): number[] {
    const key = `${segment.sampleRate}|${segment.noiseMultiplier}`;
    let curve = this.curves.get(key);
    if (!curve) {
      curve = composeRdp([{ sampleRate: segment.sampleRate, noiseMultiplier: segment.noiseMultiplier, steps: 1 }]);
      this.curves.set(key, curve);
    }
    return base.map((value, i) => value + segment.steps * curve[i]!);
  }

  private epsilonOf(rdp: readonly number[]): number {
    return epsilonFromRdp(DEFAULT_RDP_ORDERS, rdp, this.delta).epsilon;
  }
}
