import type { BinaryMatrix } from '../data/binary-matrix';
import { f1Score } from './classification-scores';
import { type HammingIndex, nearestDistances } from './hamming-neighbours';

export interface MembershipInference {
  /** The attacker claims "in the training set" when a synthetic record lies within this Hamming distance. */
  threshold: number;
  precision: number;
  /** Hit rate on members (true positive rate). */
  recall: number;
  /** Hit rate on non-members (false positive rate). */
  falsePositiveRate: number;
  f1: number;
  /** recall − falsePositiveRate: 0 = the release tells the attacker nothing; 1 = membership fully exposed. */
  advantage: number;
}

/**
 * The distance attack: an attacker holding a real patient's record looks for a synthetic record
 * within Hamming distance θ and, if there is one, claims the patient was in the training data.
 * Scored on known members (training records) and non-members (held-out records); comparing the
 * two hit rates cancels out what merely looks like "any patient".
 */
export function membershipInference(members: BinaryMatrix, nonMembers: BinaryMatrix, synthetic: HammingIndex, threshold: number): MembershipInference {
  const hits = (m: BinaryMatrix) => nearestDistances(m, synthetic).reduce((n, d) => n + (d <= threshold ? 1 : 0), 0);
  const memberHits = hits(members);
  const nonMemberHits = hits(nonMembers);
  const recall = members.rows === 0 ? 0 : memberHits / members.rows;
  const falsePositiveRate = nonMembers.rows === 0 ? 0 : nonMemberHits / nonMembers.rows;
  const claims = memberHits + nonMemberHits;
  return {
    threshold,
    precision: claims === 0 ? 0 : memberHits / claims,
    recall,
    falsePositiveRate,
    // No claims and no members is the only undefined case; then the attack found nothing: 0.
    f1: f1Score(memberHits, nonMemberHits, members.rows - memberHits) || 0,
    advantage: recall - falsePositiveRate,
  };
}
