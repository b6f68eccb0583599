import { type BinaryMatrix, selectRows } from '../data/binary-matrix';
import { createRng, deriveSeed } from '../data/simulate/prng';
import { attributeInference } from './attribute-inference';
import { canonicalRowOrder } from './canonical-order';
import { type DistanceToClosestRecord, distanceToClosestRecord } from './distance-to-closest-record';
import { exactCopyRate } from './exact-copies';
import { HammingIndex } from './hamming-neighbours';
import { assertSameColumns } from './matrix-checks';
import { type MembershipInference, membershipInference } from './membership-inference';
import { mostCommonCodes, prevalence } from './prevalence';
import { sampleIndices } from './row-sampling';
import { finiteOrNull } from './summary-stats';

export interface PrivacyMetrics {
  distanceToClosestRecord: DistanceToClosestRecord & {
    /** Records per reference set (training subsampled to the held-out size, or the reverse). */
    referenceSize: number;
  };
  membershipInference: MembershipInference & {
    /** Members and, as many, non-members attacked. */
    sampleSize: number;
  };
  attributeInference: {
    /** The attacker knows this many of the most common training codes. */
    knownCodes: number;
    neighbours: number;
    /** Targets attacked on each side. */
    sampleSize: number;
    /** Attack F1 on training records (members). */
    f1Members: number | null;
    /** Attack F1 on held-out records: what population-level patterns alone give away. */
    f1NonMembers: number | null;
  };
  /** Share of synthetic records identical to a training record. */
  exactCopyRate: number;
}

export interface PrivacyOptions {
  seed?: number;
  /** Membership claimed within this Hamming distance (default 5). */
  membershipThreshold?: number;
  /** At most this many members and as many non-members are attacked (default 2,000). */
  membershipSample?: number;
  /** The attacker knows this many of the most common codes (default 256, at most half the codes in use). */
  attributeKnownCodes?: number;
  /**
   * Nearest synthetic records that vote on each unknown code (default 1: the attacker copies the
   * closest record's codes; with 10 a memorised copy is outvoted by its 9 look-alikes and the
   * attack misses exactly the leak it is meant to find).
   */
  attributeNeighbours?: number;
  /** At most this many targets on each side (default 1,000). */
  attributeSample?: number;
}

export interface PrivacyEvaluator {
  evaluate(synthetic: BinaryMatrix): PrivacyMetrics;
}

/**
 * Prepares the privacy attacks for one (train, holdout) pair: the subsamples and the indexes
 * over real records are built once and reused for every synthetic set scored.
 */
export function createPrivacyEvaluator(train: BinaryMatrix, holdout: BinaryMatrix, options: PrivacyOptions = {}): PrivacyEvaluator {
  assertSameColumns({ train, holdout });
  const seed = options.seed ?? 1;
  const canonicalTrain = canonicalRowOrder(train);
  const canonicalHoldout = canonicalRowOrder(holdout);
  const sample = (m: BinaryMatrix, size: number, stream: number) =>
    selectRows(m, sampleIndices(m.rows, size, createRng(deriveSeed(seed, stream))));

  const referenceSize = Math.min(train.rows, holdout.rows);
  const trainIndex = new HammingIndex(sample(canonicalTrain, referenceSize, 1));
  const holdoutIndex = new HammingIndex(sample(canonicalHoldout, referenceSize, 2));

  const threshold = options.membershipThreshold ?? 5;
  const membershipSize = Math.min(train.rows, holdout.rows, options.membershipSample ?? 2000);
  const members = sample(canonicalTrain, membershipSize, 3);
  const nonMembers = sample(canonicalHoldout, membershipSize, 4);

  const trainPrevalence = prevalence(train);
  const codesInUse = trainPrevalence.reduce((n, p) => n + (p > 0 ? 1 : 0), 0);
  const known = mostCommonCodes(trainPrevalence, Math.min(options.attributeKnownCodes ?? 256, Math.floor(codesInUse / 2)));
  const neighbours = options.attributeNeighbours ?? 1;
  const attributeSize = Math.min(train.rows, holdout.rows, options.attributeSample ?? 1000);
  const memberTargets = sample(canonicalTrain, attributeSize, 5);
  const nonMemberTargets = sample(canonicalHoldout, attributeSize, 6);

  return {
    evaluate(synthetic) {
      assertSameColumns({ train, synthetic });
      const canonicalSynthetic = canonicalRowOrder(synthetic);
      const syntheticIndex = new HammingIndex(canonicalSynthetic);
      const knownIndex = new HammingIndex(canonicalSynthetic, known);
      const onMembers = attributeInference(memberTargets, known, canonicalSynthetic, knownIndex, neighbours);
      const onNonMembers = attributeInference(nonMemberTargets, known, canonicalSynthetic, knownIndex, neighbours);
      return {
        distanceToClosestRecord: { ...distanceToClosestRecord(canonicalSynthetic, trainIndex, holdoutIndex), referenceSize },
        membershipInference: { ...membershipInference(members, nonMembers, syntheticIndex, threshold), sampleSize: membershipSize },
        attributeInference: {
          knownCodes: known.length,
          neighbours,
          sampleSize: attributeSize,
          f1Members: finiteOrNull(onMembers.f1),
          f1NonMembers: finiteOrNull(onNonMembers.f1),
        },
        exactCopyRate: exactCopyRate(synthetic, train),
      };
    },
  };
}

/** Privacy of one synthetic set (see createPrivacyEvaluator to score several against the same data). */
export function privacyMetrics(train: BinaryMatrix, holdout: BinaryMatrix, synthetic: BinaryMatrix, options: PrivacyOptions = {}): PrivacyMetrics {
  return createPrivacyEvaluator(train, holdout, options).evaluate(synthetic);
}
