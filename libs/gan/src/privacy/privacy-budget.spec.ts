import { assertWithinBudget, checkPrivacyBudget } from './privacy-budget';
import { computeEpsilon, type SampledGaussianSegment } from './rdp-accountant';

const round: SampledGaussianSegment = { sampleRate: 0.01, noiseMultiplier: 1.1, steps: 500 };

describe('checkPrivacyBudget', () => {
  it('allows tasks until the composed ε would pass the budget, then refuses', () => {
    const budget = { epsilon: 3, delta: 1e-5 };
    const ledger: SampledGaussianSegment[] = [];
    let accepted = 0;
    for (let r = 0; r < 100; r++) {
      const check = checkPrivacyBudget(budget, ledger, [round]);
      if (!check.allowed) {
        expect(check.epsilonAfter).toBeGreaterThan(3);
        expect(check.remainingAfter).toBeLessThan(0);
        expect(check.reason).toMatch(/^the task would bring this site's privacy loss to ε = \d+\.\d{4} \(δ = 0\.00001\), above its budget ε = 3; already spent ε = \d+\.\d{4}$/);
        break;
      }
      expect(check.epsilonAfter).toBeLessThanOrEqual(3);
      ledger.push(round);
      accepted++;
    }
    // The last accepted state is within budget and one more round is not.
    const spent = computeEpsilon(ledger, { delta: 1e-5 }).epsilon;
    const next = computeEpsilon([...ledger, round], { delta: 1e-5 }).epsilon;
    expect(spent).toBeLessThanOrEqual(3);
    expect(next).toBeGreaterThan(3);
    expect(accepted).toBeGreaterThan(1);
  });

  it('composes on the RDP curve: ε after two rounds is less than twice ε of one', () => {
    const budget = { epsilon: 100, delta: 1e-5 };
    const one = checkPrivacyBudget(budget, [], [round]);
    const two = checkPrivacyBudget(budget, [round], [round]);
    expect(two.spentEpsilon).toBeCloseTo(one.epsilonAfter, 12);
    expect(two.epsilonAfter).toBeLessThan(2 * one.epsilonAfter);
    expect(two.epsilonAfter).toBeGreaterThan(one.epsilonAfter);
  });

  it('counts the vocabulary release and rounds with different q and σ together', () => {
    const vocabulary: SampledGaussianSegment = { sampleRate: 1, noiseMultiplier: 5, steps: 1 };
    const rounds: SampledGaussianSegment[] = [
      { sampleRate: 0.01, noiseMultiplier: 1.1, steps: 300 },
      { sampleRate: 0.02, noiseMultiplier: 1.5, steps: 300 },
    ];
    const check = checkPrivacyBudget({ epsilon: 10, delta: 1e-6 }, [vocabulary], rounds);
    expect(check.epsilonAfter).toBeCloseTo(computeEpsilon([vocabulary, ...rounds], { delta: 1e-6 }).epsilon, 12);
    expect(check.spentEpsilon).toBeCloseTo(computeEpsilon([vocabulary], { delta: 1e-6 }).epsilon, 12);
  });

  it('assertWithinBudget throws a FedsynthError with code PRIVACY_BUDGET_EXCEEDED', () => {
    expect(() => assertWithinBudget({ epsilon: 0.1, delta: 1e-5 }, [], [round])).toThrow(
      expect.objectContaining({ code: 'PRIVACY_BUDGET_EXCEEDED', name: 'FedsynthError' }),
    );
    expect(assertWithinBudget({ epsilon: 50, delta: 1e-5 }, [], [round]).allowed).toBe(true);
  });

  it.each([
    [{ epsilon: 0, delta: 1e-5 }, 'privacy budget epsilon must be a number > 0, got 0'],
    [{ epsilon: 1, delta: 1 }, 'privacy budget delta must be a number in (0, 1), got 1'],
    [{ epsilon: Number.NaN, delta: 1e-5 }, 'privacy budget epsilon must be a number > 0, got NaN'],
  ])('refuses the budget %j', (budget, message) => {
    expect(() => checkPrivacyBudget(budget, [], [round])).toThrow(message);
  });

  it('names a bad proposed segment', () => {
    expect(() => checkPrivacyBudget({ epsilon: 1, delta: 1e-5 }, [round], [{ ...round, steps: -1 }])).toThrow(
      'segments[1].steps must be an integer ≥ 0, got -1',
    );
  });
});
