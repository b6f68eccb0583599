import { FedsynthError } from '../errors/fedsynth-error';
import { toyCohort } from './bench/toy-cohort';
import { m } from './__fixtures__/matrices';
import { FAST } from './__fixtures__/quality-fixtures';
import { combineSiteSummaries, siteQualitySummary, type SiteQualitySummary } from './site-summary';

describe('site quality summary', () => {
  it('returns named numbers only: no per-record or per-code output, no labels', () => {
    // Prepare
    const inputs = {
      train: toyCohort({ records: 100, codes: 40, seed: 1 }),
      holdout: toyCohort({ records: 50, codes: 40, seed: 2 }),
      synthetic: toyCohort({ records: 50, codes: 40, seed: 3 }),
    };
    // Execute
    const summary = siteQualitySummary(inputs, { ...FAST, predictionCodes: 3, baselines: false });
    // Assert
    expect(summary.records).toEqual({ train: 100, holdout: 50, synthetic: 50 });
    for (const value of Object.values(summary.metrics)) expect(value === null || typeof value === 'number').toBe(true);
    expect(Object.keys(summary.metrics)).toContain('synthetic.privacy.membershipInference.advantage');
    expect(Object.keys(summary.metrics)).toContain('baselines.holdout.exactCopyRate');
    expect(Object.keys(summary.metrics).some((k) => k.includes('plots') || k.includes('f1Synthetic'))).toBe(false);
  });

  it('refuses to summarise a handful of patients', () => {
    const tiny = m([[0], [1]], 3);
    expect(() => siteQualitySummary({ train: tiny, holdout: tiny, synthetic: tiny })).toThrow(FedsynthError);
  });

  it('combines sites weighted by held-out records', () => {
    // Prepare: site A (10 held-out records) and site B (30).
    const a: SiteQualitySummary = { schema: 'fedsynth.site-quality/1', records: { train: 40, holdout: 10, synthetic: 10 }, metrics: { auc: 0.5, f1: null } };
    const b: SiteQualitySummary = { schema: 'fedsynth.site-quality/1', records: { train: 120, holdout: 30, synthetic: 30 }, metrics: { auc: 0.7, f1: null } };
    // Execute
    const combined = combineSiteSummaries([a, b]);
    // Assert: (10·0.5 + 30·0.7) / 40 = 0.65.
    expect(combined.records).toEqual({ train: 160, holdout: 40, synthetic: 40 });
    expect(combined.metrics.auc).toBeCloseTo(0.65, 12);
    expect(combined.metrics.f1).toBeNull();
  });
});
