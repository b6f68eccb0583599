import type { Metrics, ProtocolErrorCode } from '@fedsynth/protocol';
import type { SiteEvaluateResult } from '../strategies/strategy';

/** Why an asked site gave no metrics: a wire code where there is one, TIMEOUT when it stayed silent. */
export interface EvaluationFailure {
  readonly siteId: string;
  readonly code: string;
  readonly reason: string;
}

/** Why an EvalResult is refused, for the site's Error reply. */
export interface EvaluationRejection {
  readonly code: ProtocolErrorCode;
  readonly reason: string;
}

/**
 * The bookkeeping of one evaluation round (the global model after round `round`), without
 * I/O: which sites were asked, who answered what, and whether it is over. It is over when
 * every asked site answered (metrics or a failure), or when `close` is called at the
 * deadline; sites still silent then count as failures. An evaluation never gates training,
 * so it lives beside the round state machine, not in it.
 */
export class EvaluationRound {
  private readonly asked: ReadonlySet<string>;
  private readonly results = new Map<string, SiteEvaluateResult>();
  private readonly failures = new Map<string, EvaluationFailure>();
  private closed = false;

  constructor(
    readonly runId: string,
    readonly round: number,
    askedSiteIds: readonly string[],
    readonly deadlineAt: number,
  ) {
    this.asked = new Set(askedSiteIds);
  }

  get askedSiteIds(): string[] {
    return [...this.asked].sort();
  }

  /** Asked sites that have neither sent metrics nor failed. */
  get outstanding(): string[] {
    return this.askedSiteIds.filter((s) => !this.results.has(s) && !this.failures.has(s));
  }

  /** Every asked site answered, or the round was closed. */
  get done(): boolean {
    return this.closed || this.outstanding.length === 0;
  }

  /** Whether a site's EvalResult may be counted, checked in order: closed, deadline, asked, duplicate, weight. */
  screen(siteId: string, result: { recordCount: number }, at: number): EvaluationRejection | null {
    const what = `the evaluation of round ${this.round}`;
    if (this.closed) return { code: 'STALE_ROUND', reason: `${what} is closed` };
    if (at > this.deadlineAt) return { code: 'STALE_ROUND', reason: `${what} closed at its deadline, ${at - this.deadlineAt} ms before this result` };
    if (!this.asked.has(siteId)) return { code: 'UNEXPECTED_MESSAGE', reason: `site ${siteId} was not asked to take part in ${what}` };
    if (this.results.has(siteId) || this.failures.has(siteId)) return { code: 'STALE_ROUND', reason: `site ${siteId} already answered ${what}` };
    // The record count weighs the site's metrics in the combined mean: zero would divide by nothing.
    if (!(result.recordCount >= 1)) return { code: 'INVALID_VALUE', reason: `an evaluation needs at least 1 held-out record, the result says ${result.recordCount}` };
    return null;
  }

  /** Counts a screened result. */
  accept(siteId: string, result: { recordCount: number; metrics: Metrics }): void {
    this.results.set(siteId, { siteId, recordCount: result.recordCount, metrics: result.metrics });
  }

  /**
   * A site that cannot answer (task refused, evaluation failed at the site, it left).
   * Returns false, changing nothing, when the site was not asked, already answered, or
   * the round is closed.
   */
  fail(siteId: string, code: string, reason: string): boolean {
    if (this.closed || !this.asked.has(siteId) || this.results.has(siteId) || this.failures.has(siteId)) return false;
    this.failures.set(siteId, { siteId, code, reason });
    return true;
  }

  /** Ends the round: silent sites become TIMEOUT failures. Results and failures come back in site order. */
  close(): { results: SiteEvaluateResult[]; failures: EvaluationFailure[]; timedOut: EvaluationFailure[] } {
    const timedOut = this.closed ? [] : this.outstanding.map((siteId) => ({ siteId, code: 'TIMEOUT', reason: 'no evaluation result before the deadline' }));
    for (const failure of timedOut) this.failures.set(failure.siteId, failure);
    this.closed = true;
    const bySite = <T extends { siteId: string }>(a: T, b: T) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0);
    return { results: [...this.results.values()].sort(bySite), failures: [...this.failures.values()].sort(bySite), timedOut };
  }
}
