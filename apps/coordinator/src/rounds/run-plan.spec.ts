import { checkRunPlan, phaseOfRound, totalRounds, type RunPlan } from './run-plan';

const plan: RunPlan = {
  phases: [
    { phase: 'autoencoder', rounds: 2 },
    { phase: 'gan', rounds: 0 },
    { phase: 'gan', rounds: 3 },
  ],
  minSites: 2,
  roundDeadlineMs: 60_000,
  maxRoundRetries: 1,
  evaluateEvery: 0,
};

describe('run plan', () => {
  it('numbers rounds across phases, skipping empty phases', () => {
    expect(totalRounds(plan)).toBe(5);
    expect([0, 1, 2, 3, 4].map((r) => phaseOfRound(plan, r))).toEqual(['autoencoder', 'autoencoder', 'gan', 'gan', 'gan']);
    expect(() => phaseOfRound(plan, 5)).toThrow("round 5 is beyond the plan's 5 rounds");
  });

  it('accepts a valid plan as a clean copy', () => {
    // siteWaitMs is optional (plans stored before it existed); absent means 0, no limit.
    expect(checkRunPlan({ ...plan, extra: 1 })).toEqual({ ...plan, siteWaitMs: 0 });
    expect(checkRunPlan({ ...plan, siteWaitMs: 30_000 }).siteWaitMs).toBe(30_000);
  });

  it('refuses a negative or fractional site wait', () => {
    expect(() => checkRunPlan({ ...plan, siteWaitMs: -1 })).toThrow('invalid run plan: siteWaitMs must be an integer ≥ 0 (0: no limit)');
    expect(() => checkRunPlan({ ...plan, siteWaitMs: 1.5 })).toThrow('siteWaitMs must be an integer ≥ 0');
  });

  it('lists every problem of a bad plan', () => {
    expect(() => checkRunPlan({ phases: [{ phase: 'vae', rounds: -1 }], minSites: 0, roundDeadlineMs: 0, maxRoundRetries: 1.5 })).toThrow(
      'invalid run plan: phases[0].phase must be one of autoencoder, gan; phases[0].rounds must be an integer ≥ 0; ' +
        'minSites must be an integer ≥ 1; roundDeadlineMs must be an integer ≥ 1; maxRoundRetries must be an integer ≥ 0; ' +
        'evaluateEvery must be an integer ≥ 0',
    );
    expect(() => checkRunPlan(null)).toThrow('plan must be an object');
    expect(() => checkRunPlan({ ...plan, phases: [{ phase: 'gan', rounds: 0 }] })).toThrow('the phases must hold at least one round');
  });
});
