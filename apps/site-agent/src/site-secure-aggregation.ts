import {
  checkFixedPoint,
  encodeWeightedUpdate,
  flattenUpdate,
  ProtocolError,
  SecureAggregationError,
  SecureAggregationSite,
  type MaskedUpdate,
  type SecAggKeyRequest,
  type SecAggKeys,
  type SecAggRoster,
  type SecAggShares,
  type TrainResult,
  type TrainTask,
  type UnmaskRequest,
  type UnmaskResponse,
} from '@fedsynth/protocol';

/** A masked update ready to send, and the plain one it hides (which never leaves the site). */
export interface MaskedOutcome {
  readonly masked: MaskedUpdate;
  /** Coordinates clipped to ±clip before encoding (a count: aggregate, not data). */
  readonly clipped: number;
}

function failed(message: string): ProtocolError {
  return new ProtocolError('SECURE_AGGREGATION_FAILED', message);
}

/** The protocol's own errors (too few survivors, a bad share...) reach the coordinator as SECURE_AGGREGATION_FAILED. */
function guarded<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof SecureAggregationError) throw failed(`${error.code}: ${error.message}`);
    throw error;
  }
}

/**
 * The site's side of secure aggregation across rounds: one SecureAggregationSite (fresh
 * keys and seeds) per round, made at the coordinator's key request. A TrainTask is bound
 * to the round's object when it is accepted, so a task still training when the next
 * round's keys are requested masks with its own round's secrets, never the new ones.
 */
export class SiteSecureAggregation {
  private current: SecureAggregationSite | undefined;
  /** TrainTask message id → the round's object it masks with. */
  private readonly bound = new Map<string, SecureAggregationSite>();

  constructor(private readonly siteId: string) {}

  keys(request: SecAggKeyRequest): SecAggKeys {
    // A new round (or attempt) begins only once the coordinator is done with the last: a task
    // of an earlier one still training could only send a stale update, so its secrets go.
    this.bound.clear();
    this.current = new SecureAggregationSite(this.siteId, { runId: request.runId, round: request.round });
    const { maskPublicKey, sharePublicKey } = this.current.publicKeys();
    return { runId: request.runId, round: request.round, maskPublicKey, sharePublicKey };
  }

  shares(roster: SecAggRoster): SecAggShares {
    const site = this.forRound(roster, 'roster');
    return { runId: roster.runId, round: roster.round, shares: guarded(() => site.shareSecrets(roster.participants, roster.threshold)) };
  }

  receive(shares: SecAggShares): void {
    const site = this.forRound(shares, 'shares');
    guarded(() => site.receiveShares(shares.shares));
  }

  /** Binds an accepted TrainTask (with secureAggregation) to its round's secrets. */
  accept(task: TrainTask, messageId: string): void {
    this.bound.set(messageId, this.forRound(task, 'TrainTask'));
  }

  /**
   * The task's update (trained − task weights) weighted by the record count, fixed-point
   * encoded and masked for the task's masking set. Runs once per task.
   */
  mask(task: TrainTask, messageId: string, result: TrainResult): MaskedOutcome {
    const settings = task.secureAggregation;
    const site = this.bound.get(messageId);
    this.bound.delete(messageId);
    if (!settings || !site) throw failed(`round ${task.round} has no secure-aggregation set-up for this task`);
    const config = { clip: settings.clip, scale: settings.scale, maxTotalWeight: settings.maxTotalWeight, maxSites: settings.maxSites };
    guarded(() => checkFixedPoint(config));
    if (result.recordCount > settings.maxTotalWeight) {
      throw failed(`this site trained on ${result.recordCount} records, above the round's bound of ${settings.maxTotalWeight} for the whole sum`);
    }
    const update = guarded(() => flattenUpdate(result.weights, task.weights));
    let clipped = 0;
    for (const v of update) if (v > settings.clip || v < -settings.clip) clipped++;
    const words = guarded(() => site.maskUpdate(encodeWeightedUpdate(update, result.recordCount, config), settings.maskingSet));
    const privacy = result.privacy ? { privacy: result.privacy } : {};
    return { masked: { runId: task.runId, round: task.round, phase: task.phase, metrics: result.metrics, ...privacy, words }, clipped };
  }

  reveal(request: UnmaskRequest): UnmaskResponse {
    const site = this.forRound(request, 'unmask request');
    const revealed = guarded(() => site.revealShares(request.survivors));
    return { runId: request.runId, round: request.round, selfMaskSeedShares: [...revealed.selfMaskSeedShares], maskKeyShares: [...revealed.maskKeyShares] };
  }

  /** The current round's object, if `ref` names its run and round. */
  private forRound(ref: { runId: string; round: number }, what: string): SecureAggregationSite {
    const site = this.current;
    if (!site || site.context.runId !== ref.runId || site.context.round !== ref.round) {
      const have = site ? `run ${site.context.runId} round ${site.context.round}` : 'none';
      throw failed(`${what} for run ${ref.runId} round ${ref.round}, but this site's secure-aggregation keys are for ${have}`);
    }
    return site;
  }
}
