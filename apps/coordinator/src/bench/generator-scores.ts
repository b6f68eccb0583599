import { createPrivacyEvaluator, createUtilityEvaluator, prevalenceQuality, type BinaryMatrix, type UtilityEvaluator } from '@fedsynth/gan';

/** What the experiment reports for one generator's synthetic records. */
export interface GeneratorScores {
  syntheticRecords: number;
  /** Dimension-wise probability against the pooled holdout: Pearson r and RMSE of code prevalences. */
  pearson: number;
  rmse: number;
  /** Share of the vocabulary's codes the synthetic records hold at least once. */
  codesGenerated: number;
  meanCodesPerRecord: number;
  /** Dimension-wise prediction (tested on the pooled holdout): mean F1 trained on S, and the gap to trained on pooled X. */
  predictionF1: number | null;
  predictionGap: number | null;
  /** Cross-validated AUC of a classifier telling pooled held-out records from S (0.5 ideal). */
  detectionAuc: number | null;
  /** Membership inference (Hamming ≤ 5): hit rate on members − on non-members. */
  membershipAdvantage: number;
  /** Share of synthetic records closer to a member than to a non-member (0.5 ideal). */
  dcrShare: number;
  exactCopyRate: number;
}

/**
 * Scores synthetic records with libs/gan's metrics. Fidelity and utility are measured on the
 * pooled holdout for every generator (utility against models trained on the pooled training
 * records), so all arms share one yardstick. Privacy attacks the records a generator actually
 * trained on (members) against held-out records of the same population (non-members).
 */
export class GeneratorScorer {
  private readonly utility: UtilityEvaluator;

  constructor(
    pooledTrain: BinaryMatrix,
    private readonly pooledHoldout: BinaryMatrix,
    private readonly seed: number,
  ) {
    this.utility = createUtilityEvaluator(pooledTrain, pooledHoldout, { seed });
  }

  score(synthetic: BinaryMatrix, privacy: { members: BinaryMatrix; nonMembers: BinaryMatrix }): GeneratorScores {
    const fidelity = prevalenceQuality(this.pooledHoldout, synthetic);
    const { prediction, detectionAuc } = this.utility.evaluate(synthetic);
    const attacks = createPrivacyEvaluator(privacy.members, privacy.nonMembers, { seed: this.seed }).evaluate(synthetic);
    return {
      syntheticRecords: synthetic.rows,
      pearson: fidelity.pearson,
      rmse: fidelity.rmse,
      codesGenerated: fidelity.codesGenerated,
      meanCodesPerRecord: fidelity.meanCodesSynthetic,
      predictionF1: prediction.meanF1Synthetic,
      predictionGap: prediction.meanGap,
      detectionAuc,
      membershipAdvantage: attacks.membershipInference.advantage,
      dcrShare: attacks.distanceToClosestRecord.shareCloserToTrain,
      exactCopyRate: attacks.exactCopyRate,
    };
  }
}
