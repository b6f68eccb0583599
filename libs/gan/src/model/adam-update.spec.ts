import { AdamStepCounter, adamUpdate } from './adam-update';

describe('adamUpdate', () => {
  it('computes one Adam step, bias-corrected, with λ·w added to the gradient', () => {
    const value = Float32Array.of(1, -2);
    const gradient = Float32Array.of(0.5, 0);
    const firstMoment = Float32Array.of(0.1, 0);
    const secondMoment = Float32Array.of(0.01, 0);
    const out = { newValue: new Float32Array(2), newFirstMoment: new Float32Array(2), newSecondMoment: new Float32Array(2) };
    adamUpdate(
      { value, gradient, firstMoment, secondMoment, ...out },
      { learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 1e-7, l2: 0.5, biasCorrection1: 0.75, biasCorrection2: 0.4375 },
    );
    // Record 0: g' = 0.5 + 0.5·1 = 1; m = 0.5·0.1 + 0.5·1 = 0.55; v = 0.75·0.01 + 0.25·1 = 0.2575;
    // w = 1 − 0.1 · (0.55/0.75) / (√(0.2575/0.4375) + 1e-7).
    expect(out.newFirstMoment[0]).toBeCloseTo(0.55, 6);
    expect(out.newSecondMoment[0]).toBeCloseTo(0.2575, 6);
    expect(out.newValue[0]).toBeCloseTo(1 - (0.1 * (0.55 / 0.75)) / (Math.sqrt(0.2575 / 0.4375) + 1e-7), 6);
    // Record 1: only the L2 term: g' = −1, m = −0.5, v = 0.25.
    expect(out.newFirstMoment[1]).toBeCloseTo(-0.5, 6);
    expect(out.newSecondMoment[1]).toBeCloseTo(0.25, 6);
    expect(out.newValue[1]).toBeCloseTo(-2 + (0.1 * (0.5 / 0.75)) / (Math.sqrt(0.25 / 0.4375) + 1e-7), 6);
  });

  it('can update in place', () => {
    const w = Float32Array.of(3);
    const m = Float32Array.of(0);
    const v = Float32Array.of(0);
    const g = Float32Array.of(2);
    adamUpdate(
      { value: w, gradient: g, firstMoment: m, secondMoment: v, newValue: w, newFirstMoment: m, newSecondMoment: v },
      { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, l2: 0, biasCorrection1: 0.1, biasCorrection2: 0.001 },
    );
    // The first step of Adam moves every weight by ≈ lr against its gradient's sign.
    expect(w[0]).toBeCloseTo(2.9, 5);
    expect(m[0]).toBeCloseTo(0.2, 6);
    expect(v[0]).toBeCloseTo(0.004, 6);
  });

  it('names the array whose length differs', () => {
    const one = () => new Float32Array(1);
    expect(() =>
      adamUpdate(
        { value: one(), gradient: new Float32Array(2), firstMoment: one(), secondMoment: one(), newValue: one(), newFirstMoment: one(), newSecondMoment: one() },
        { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, l2: 0, biasCorrection1: 0.1, biasCorrection2: 0.001 },
      ),
    ).toThrow("adamUpdate: 'gradient' holds 2 values, expected 1 like 'value'");
  });
});

describe('AdamStepCounter', () => {
  it('gives 1 − βᵗ for steps 1, 2, … and can start after saved steps', () => {
    const counter = new AdamStepCounter(0.5, 0.75);
    expect(counter.biasCorrections()).toEqual({ biasCorrection1: 0.5, biasCorrection2: 0.25 });
    counter.advance();
    expect(counter.biasCorrections()).toEqual({ biasCorrection1: 0.75, biasCorrection2: 0.4375 });
    expect(new AdamStepCounter(0.5, 0.75, 1).biasCorrections()).toEqual(counter.biasCorrections());
  });
});
