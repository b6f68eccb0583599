import { FedsynthError } from '../errors/fedsynth-error';
import { m, shuffledRows } from './__fixtures__/matrices';
import { FAST, qualityInputs } from './__fixtures__/quality-fixtures';
import { evaluateQuality } from './quality-report';
import type { QualityReport } from './report-types';

describe('evaluateQuality', () => {
  const { train, holdout, fresh } = qualityInputs();
  let asSynthetic: QualityReport;
  let copy: QualityReport;

  beforeAll(() => {
    // Held-out records used as if synthetic (an ideal generator's output), and a copy of X.
    asSynthetic = evaluateQuality({ train, holdout, synthetic: fresh }, FAST);
    copy = evaluateQuality({ train, holdout, synthetic: train }, { ...FAST, baselines: false });
  });

  it('scores held-out records used as synthetic near the ideal', () => {
    const s = asSynthetic.synthetic;
    expect(s.fidelity.prevalence.pearson).toBeGreaterThan(0.9);
    expect(Math.abs(s.utility.prediction.meanGap!)).toBeLessThan(0.06);
    expect(Math.abs(s.utility.detectionAuc! - 0.5)).toBeLessThan(0.08);
    expect(Math.abs(s.privacy.distanceToClosestRecord.shareCloserToTrain - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(s.privacy.membershipInference.advantage)).toBeLessThan(0.08);
    expect(asSynthetic.verdicts.privacy.level).toBe('good');
  });

  it('gives r = 1 and zero distances for a copy of X, and flags it', () => {
    const f = copy.synthetic.fidelity;
    expect(f.prevalence.pearson).toBeCloseTo(1, 12);
    expect([f.prevalence.rmse, f.codesPerRecord.totalVariation, f.codesPerRecord.wasserstein, f.coOccurrence.distance]).toEqual([0, 0, 0, 0]);
    expect(copy.synthetic.privacy.exactCopyRate).toBe(1);
    expect(copy.synthetic.privacy.distanceToClosestRecord.shareCloserToTrain).toBeGreaterThan(0.9);
    expect(copy.verdicts.privacy.level).toBe('poor');
  });

  it('puts the baselines in context: the mixture beats independent codes on co-occurrence', () => {
    const { independentMarginals, bernoulliMixture, holdout: reference } = asSynthetic.baselines;
    expect(independentMarginals!.fidelity.coOccurrence.distance).toBeGreaterThan(bernoulliMixture!.fidelity.coOccurrence.distance);
    expect(independentMarginals!.utility.detectionAuc!).toBeGreaterThan(asSynthetic.synthetic.utility.detectionAuc!);
    expect(reference.fidelity.prevalence.pearson).toBeGreaterThan(0.9);
    expect(reference.exactCopyRate).toBeLessThan(0.1);
    expect(copy.baselines.independentMarginals).toBeNull();
    expect(copy.settings.mixtureComponents).toBeNull();
  });

  it('does not depend on row order', () => {
    const shuffled = evaluateQuality(
      { train: shuffledRows(train, 1), holdout: shuffledRows(holdout, 2), synthetic: shuffledRows(fresh, 3) },
      FAST,
    );
    expect(shuffled).toEqual(asSynthetic);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(asSynthetic))).toEqual(asSynthetic);
  });

  it('reports each stage’s time through the hook', () => {
    const stages: string[] = [];
    evaluateQuality({ train, holdout, synthetic: fresh }, { ...FAST, baselines: false, predictionCodes: 2 }, { onStage: (stage, set) => stages.push(`${stage}:${set}`) });
    expect(stages).toEqual(['prepare:utility', 'prepare:privacy', 'fidelity:synthetic', 'utility:synthetic', 'privacy:synthetic', 'fidelity:holdout']);
  });

  it('refuses inputs over different vocabularies or without records', () => {
    expect(() => evaluateQuality({ train, holdout, synthetic: m([[0]], 151) })).toThrow(FedsynthError);
    expect(() => evaluateQuality({ train, holdout, synthetic: m([], 150) })).toThrow(/at least 2/);
  });
});
