import { describePrivacy, runDpFrom, runMarginalsFrom, siteBudgetFrom } from './federated-dp-options';
import { runCreateBody } from './run-create.command';
import { describeSiteEvent } from './site.command';

describe('federated DP options', () => {
  it('sends dp with run create only when both flags are given', () => {
    expect(runCreateBody({ 'dp-noise-multiplier': '1.2', 'dp-clip-norm': '0.5' }).options['dp']).toEqual({ noiseMultiplier: 1.2, clipNorm: 0.5 });
    expect(runCreateBody({}).options).not.toHaveProperty('dp');
    expect(() => runDpFrom({ 'dp-noise-multiplier': '1' })).toThrow('a DP run needs both --dp-noise-multiplier and --dp-clip-norm');
    expect(runMarginalsFrom({ 'marginal-weight': '0.5' }, true)).toEqual({ weight: 0.5, noiseMultiplier: 4 });
    expect(runMarginalsFrom({ 'marginal-weight': '2', 'marginal-noise': '8' }, true)).toEqual({ weight: 2, noiseMultiplier: 8 });
    expect(runMarginalsFrom({ 'marginal-weight': '2' }, false)).toEqual({ weight: 2 });
    expect(runMarginalsFrom({ 'marginal-weight': '2', 'marginal-target': 'pooled' }, false)).toEqual({ weight: 2, target: 'pooled' });
    expect(runMarginalsFrom({ 'marginal-weight': '2', 'marginal-target': 'site' }, false)).toEqual({ weight: 2 });
    expect(runCreateBody({ 'marginal-weight': '1', 'marginal-target': 'pooled' }).options['marginals']).toEqual({ weight: 1, target: 'pooled' });
    expect(() => runMarginalsFrom({ 'marginal-weight': '2', 'marginal-target': 'pooled' }, true)).toThrow("--marginal-target pooled needs every site's exact code counts, which a DP run never collects");
    expect(() => runMarginalsFrom({ 'marginal-weight': '2', 'marginal-target': 'all' }, false)).toThrow("--marginal-target must be site or pooled, got 'all'");
    expect(() => runMarginalsFrom({ 'marginal-target': 'pooled' }, false)).toThrow('--marginal-target needs --marginal-weight');
    expect(runCreateBody({ 'marginal-weight': '1', 'marginal-target': 'pooled', 'correct-batch-means': true }).options['marginals']).toEqual({ weight: 1, target: 'pooled', correctBatchMeans: true });
    expect(runMarginalsFrom({ 'marginal-weight': '1', 'marginal-target': 'pooled', 'correct-batch-means': true }, false)).toEqual({ weight: 1, target: 'pooled', correctBatchMeans: true });
    expect(() => runMarginalsFrom({ 'marginal-weight': '1', 'marginal-target': 'site', 'correct-batch-means': true }, false)).toThrow('--correct-batch-means needs --marginal-target pooled');
    expect(runMarginalsFrom({}, true)).toBeUndefined();
    expect(() => runMarginalsFrom({ 'marginal-weight': '1', 'marginal-noise': '4' }, false)).toThrow('--marginal-noise is for DP runs; without DP the sites match their exact prevalences');
    expect(() => runMarginalsFrom({ 'marginal-noise': '4' }, true)).toThrow('--marginal-noise needs --marginal-weight');
    expect(() => runMarginalsFrom({ 'marginal-weight': '-1' }, true)).toThrow("--marginal-weight must be a number > 0, got '-1'");
    expect(() => runDpFrom({ 'dp-noise-multiplier': '0', 'dp-clip-norm': '1' })).toThrow("--dp-noise-multiplier must be a number > 0, got '0'");
    expect(() => runDpFrom({ 'dp-noise-multiplier': '1', 'dp-clip-norm': 'NaN' })).toThrow("--dp-clip-norm must be a number > 0, got 'NaN'");
  });

  it("reads a site's budget: both of --dp-epsilon and --dp-delta, valid", () => {
    expect(siteBudgetFrom({})).toBeUndefined();
    const ledger = { 'dp-ledger': 'site.ledger.json' };
    expect(siteBudgetFrom({ 'dp-epsilon': '3', 'dp-delta': '1e-5', ...ledger })).toEqual({ epsilon: 3, delta: 1e-5, ledgerFile: 'site.ledger.json' });
    expect(siteBudgetFrom({ 'dp-epsilon': '3', 'dp-delta': '1e-5', 'dp-vocabulary-noise': '8', ...ledger })).toEqual({ epsilon: 3, delta: 1e-5, vocabulary: { noiseMultiplier: 8 }, ledgerFile: 'site.ledger.json' });
    expect(() => siteBudgetFrom({ 'dp-epsilon': '3', 'dp-delta': '1e-5' })).toThrow('a site privacy budget needs --dp-ledger FILE');
    expect(() => siteBudgetFrom({ 'dp-epsilon': '3' })).toThrow('a site privacy budget needs both --dp-epsilon and --dp-delta');
    expect(() => siteBudgetFrom({ 'dp-epsilon': '-1', 'dp-delta': '1e-5' })).toThrow("--dp-epsilon must be a number > 0, got '-1'");
    expect(() => siteBudgetFrom({ 'dp-epsilon': '1', 'dp-delta': '1' })).toThrow("--dp-delta must be a number in (0, 1), got '1'");
    expect(() => siteBudgetFrom({ 'dp-vocabulary-noise': '4' })).toThrow('--dp-vocabulary-noise needs a budget');
    expect(siteBudgetFrom({ 'dp-epsilon': '3', 'dp-delta': '1e-5', 'dp-ledger': 'site.ledger.json' })).toEqual({ epsilon: 3, delta: 1e-5, ledgerFile: 'site.ledger.json' });
    expect(() => siteBudgetFrom({ 'dp-ledger': 'x.json' })).toThrow('--dp-ledger needs a budget');
  });

  it('shows the privacy a run spent in run status, and the site refusals and spend in the site log', () => {
    expect(describePrivacy(undefined)).toEqual([]);
    expect(describePrivacy({ sites: [], maxEpsilon: null, delta: null })).toEqual([]);
    expect(
      describePrivacy({
        sites: [
          { siteId: 'a', epsilon: 1.23456, delta: 1e-5, steps: 40, round: 3 },
          { siteId: 'b', epsilon: 0.5, delta: 1e-5, steps: 20, round: 1 },
        ],
        maxEpsilon: 1.23456,
        delta: 1e-5,
      }),
    ).toEqual([
      '  privacy   ε ≤ 1.235 (δ = 0.00001) at every site, as the sites report it:',
      '    a: ε = 1.235 after round 4 (40 DP-SGD steps)',
      '    b: ε = 0.500 after round 2 (20 DP-SGD steps)',
    ]);
    expect(describeSiteEvent({ type: 'taskRefused', runId: 'r', round: 2, code: 'PRIVACY_BUDGET_EXCEEDED', reason: 'privacy budget exceeded: ...' })).toBe(
      'run r: round 3 refused (PRIVACY_BUDGET_EXCEEDED): privacy budget exceeded: ...',
    );
    const result = { runId: 'r', round: 0, phase: 'gan' as const, recordCount: 5, weights: [], metrics: {}, privacy: { epsilon: 0.75, delta: 1e-5, steps: 4 } };
    expect(describeSiteEvent({ type: 'resultSent', result })).toBe('round 1: update sent (privacy spent so far: ε = 0.750, δ = 0.00001)');
  });
});
