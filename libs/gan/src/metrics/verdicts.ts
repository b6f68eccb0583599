import type { QualityReport, Verdict, VerdictLevel } from './report-types';

/**
 * One-line verdicts per area. The cut-offs are rules of thumb, not statistics: each compares S
 * with what it must beat (independent marginals, the mixture) and with what it cannot beat
 * (held-out real records, the ideal 0.5 / 0), so a reader sees both the level and the reason.
 */
export function qualityVerdicts(report: Omit<QualityReport, 'verdicts'>): QualityReport['verdicts'] {
  return { fidelity: fidelityVerdict(report), utility: utilityVerdict(report), privacy: privacyVerdict(report) };
}

const fmt = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? 'n/a' : x.toFixed(digits));

function verdict(area: string, level: VerdictLevel, details: string): Verdict {
  return { level, text: `${area}: ${level} — ${details}` };
}

/**
 * Good: prevalence r ≥ 0.95, record sizes within one code (earth mover's) and co-occurrence
 * error at most a third of the way from the held-out noise floor to independent marginals.
 * Poor: r < 0.8, or co-occurrence no better than independent codes.
 */
function fidelityVerdict(report: Omit<QualityReport, 'verdicts'>): Verdict {
  const s = report.synthetic.fidelity;
  const floor = report.baselines.holdout.fidelity.coOccurrence.distance;
  const independent = report.baselines.independentMarginals?.fidelity.coOccurrence.distance;
  const r = s.prevalence.pearson;
  const co = s.coOccurrence.distance;
  const details =
    `prevalence r ${fmt(r, 3)} (held-out ${fmt(report.baselines.holdout.fidelity.prevalence.pearson, 3)}), ` +
    `co-occurrence error ${fmt(co, 1)} (held-out ${fmt(floor, 1)}, independent codes ${fmt(independent, 1)}), ` +
    `${fmt(s.codesPerRecord.meanSynthetic, 1)} vs ${fmt(s.codesPerRecord.meanReal, 1)} codes per record`;
  const coGood = independent === undefined ? true : co <= floor + (independent - floor) / 3;
  if (r < 0.8 || (independent !== undefined && co >= independent)) return verdict('Fidelity', 'poor', details);
  if (r >= 0.95 && s.codesPerRecord.wasserstein <= 1 && coGood) return verdict('Fidelity', 'good', details);
  return verdict('Fidelity', 'fair', details);
}

/**
 * Good: synthetic-trained models within 0.05 F1 of real-trained ones and detection AUC ≤ 0.7.
 * Poor: a gap over 0.2 or no smaller than independent marginals', or detection AUC ≥ 0.9.
 */
function utilityVerdict(report: Omit<QualityReport, 'verdicts'>): Verdict {
  const u = report.synthetic.utility;
  const independentGap = report.baselines.independentMarginals?.utility.prediction.meanGap ?? null;
  const gap = u.prediction.meanGap;
  const auc = u.detectionAuc;
  const details =
    `prediction F1 ${fmt(u.prediction.meanF1Synthetic)} trained on synthetic vs ${fmt(u.prediction.meanF1Real)} on real ` +
    `(gap ${fmt(gap)}; independent codes ${fmt(independentGap)}), detection AUC ${fmt(auc)} (0.50 = indistinguishable)`;
  if (gap === null || auc === null) return verdict('Utility', 'fair', `${details}; too few records to judge`);
  if (gap > 0.2 || auc >= 0.9 || (independentGap !== null && gap >= independentGap && gap > 0.05)) return verdict('Utility', 'poor', details);
  if (gap <= 0.05 && auc <= 0.7) return verdict('Utility', 'good', details);
  return verdict('Utility', 'fair', details);
}

/**
 * Poor: DCR share ≥ 0.6, membership advantage ≥ 0.1, copies of training records more than 5
 * points above the held-out duplicate rate, or attribute inference ≥ 0.1 F1 better on members.
 * Fair at half those margins (0.55, 0.05, 1 point, 0.05). Good otherwise.
 */
function privacyVerdict(report: Omit<QualityReport, 'verdicts'>): Verdict {
  const p = report.synthetic.privacy;
  const dcr = p.distanceToClosestRecord.shareCloserToTrain;
  const advantage = p.membershipInference.advantage;
  const copies = p.exactCopyRate;
  const naturalCopies = report.baselines.holdout.exactCopyRate;
  const attributeGap = (p.attributeInference.f1Members ?? 0) - (p.attributeInference.f1NonMembers ?? 0);
  const details =
    `DCR share ${fmt(dcr)} (0.50 ideal), membership advantage ${fmt(advantage)} at distance ≤ ${p.membershipInference.threshold}, ` +
    `exact copies ${fmt(100 * copies, 1)}% (held-out records: ${fmt(100 * naturalCopies, 1)}%), ` +
    `attribute F1 members ${fmt(p.attributeInference.f1Members)} vs non-members ${fmt(p.attributeInference.f1NonMembers)}`;
  if (dcr >= 0.6 || advantage >= 0.1 || copies > naturalCopies + 0.05 || attributeGap >= 0.1) return verdict('Privacy', 'poor', details);
  if (dcr >= 0.55 || advantage >= 0.05 || copies > naturalCopies + 0.01 || attributeGap >= 0.05) return verdict('Privacy', 'fair', details);
  return verdict('Privacy', 'good', details);
}
