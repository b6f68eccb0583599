import { tinyReport } from './__fixtures__/quality-fixtures';
import type { QualityReport } from './report-types';
import { qualityVerdicts } from './verdicts';

/** A report whose deciding numbers are set by hand, everything else from a real run. */
function withNumbers(tweak: (r: QualityReport) => void): QualityReport {
  const report = structuredClone(base);
  const s = report.synthetic;
  const independent = report.baselines.independentMarginals!;
  // A clean starting point: everything at its ideal.
  s.fidelity.prevalence.pearson = 0.99;
  s.fidelity.codesPerRecord.wasserstein = 0.2;
  report.baselines.holdout.fidelity.coOccurrence.distance = 10;
  independent.fidelity.coOccurrence.distance = 70;
  s.fidelity.coOccurrence.distance = 20;
  s.utility.prediction.meanGap = 0.01;
  independent.utility.prediction.meanGap = 0.15;
  s.utility.detectionAuc = 0.55;
  s.privacy.distanceToClosestRecord.shareCloserToTrain = 0.5;
  s.privacy.membershipInference.advantage = 0;
  s.privacy.exactCopyRate = 0.02;
  report.baselines.holdout.exactCopyRate = 0.02;
  s.privacy.attributeInference.f1Members = 0.3;
  s.privacy.attributeInference.f1NonMembers = 0.3;
  tweak(report);
  return report;
}

let base: QualityReport;

describe('qualityVerdicts', () => {
  beforeAll(() => {
    base = tinyReport();
  });

  it('calls ideal numbers good, with the numbers in the line', () => {
    // Execute
    const v = qualityVerdicts(withNumbers(() => {}));
    // Assert
    expect([v.fidelity.level, v.utility.level, v.privacy.level]).toEqual(['good', 'good', 'good']);
    expect(v.fidelity.text).toBe(
      `Fidelity: good — prevalence r 0.990 (held-out ${base.baselines.holdout.fidelity.prevalence.pearson.toFixed(3)}), co-occurrence error 20.0 (held-out 10.0, independent codes 70.0), ` +
        `${base.synthetic.fidelity.codesPerRecord.meanSynthetic.toFixed(1)} vs ${base.synthetic.fidelity.codesPerRecord.meanReal.toFixed(1)} codes per record`,
    );
  });

  it('judges fidelity against independent marginals', () => {
    // Closing less than two thirds of the gap to the held-out floor: fair; no better than independent codes: poor.
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.fidelity.coOccurrence.distance = 40))).fidelity.level).toBe('fair');
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.fidelity.coOccurrence.distance = 75))).fidelity.level).toBe('poor');
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.fidelity.prevalence.pearson = 0.7))).fidelity.level).toBe('poor');
  });

  it('judges utility by the F1 gap and the detection AUC', () => {
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.utility.detectionAuc = 0.8))).utility.level).toBe('fair');
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.utility.detectionAuc = 0.95))).utility.level).toBe('poor');
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.utility.prediction.meanGap = 0.16))).utility.level).toBe('poor');
  });

  it('judges privacy by its worst sign of memorisation', () => {
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.privacy.distanceToClosestRecord.shareCloserToTrain = 0.57))).privacy.level).toBe('fair');
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.privacy.membershipInference.advantage = 0.2))).privacy.level).toBe('poor');
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.privacy.exactCopyRate = 0.1))).privacy.level).toBe('poor');
    expect(qualityVerdicts(withNumbers((r) => (r.synthetic.privacy.attributeInference.f1Members = 0.45))).privacy.level).toBe('poor');
  });
});
