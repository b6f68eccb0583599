/**
 * One Adam update of a whole variable in a single pass, with an optional L2 term folded into
 * the gradient. The arithmetic is tf.train.adam's, operation for operation and rounded to
 * float32 after each one (Math.fround), so the results equal the stock optimizer's to the bit:
 *
 *   g' = g + w·λ                                  (λ = 0: g' = g)
 *   m' = m·β₁ + g'·(1 − β₁)
 *   v' = v·β₂ + g'²·(1 − β₂)
 *   w' = ((m' / c₁) / (√(v' / c₂) + ε))·(−lr) + w   with cₖ = 1 − βₖᵗ
 *
 * (Double-precision +, ×, ÷ and √ of float32 operands, rounded once to float32, give the
 * correctly rounded float32 result, so the JS arithmetic below is float32 arithmetic.)
 * The wasm backend runs the same steps with SIMD (backend/wasm-simd-module.ts); this loop serves the
 * cpu backend and the last few values that do not fill a SIMD vector.
 */
export interface AdamCoefficients {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** L2 scale λ added as λ·w to the gradient; 0 for none. */
  readonly l2: number;
  /** 1 − β₁ᵗ for this update's step t, as float32 (see AdamStepCounter). */
  readonly biasCorrection1: number;
  /** 1 − β₂ᵗ. */
  readonly biasCorrection2: number;
}

export interface AdamArrays {
  readonly value: Float32Array;
  readonly gradient: Float32Array;
  readonly firstMoment: Float32Array;
  readonly secondMoment: Float32Array;
  /** Outputs; may be the same arrays as the inputs above (in-place update). */
  readonly newValue: Float32Array;
  readonly newFirstMoment: Float32Array;
  readonly newSecondMoment: Float32Array;
}

const f = Math.fround;

export function adamUpdate(a: AdamArrays, c: AdamCoefficients): void {
  const n = a.value.length;
  for (const [name, array] of Object.entries(a) as [string, Float32Array][]) {
    if (array.length !== n) throw new Error(`adamUpdate: '${name}' holds ${array.length} values, expected ${n} like 'value'`);
  }
  const k = float32Coefficients(c);
  const { value, gradient, firstMoment, secondMoment, newValue, newFirstMoment, newSecondMoment } = a;
  for (let i = 0; i < n; i++) {
    const w = value[i];
    const g = f(gradient[i] + f(w * k.l2));
    const m = f(f(firstMoment[i] * k.beta1) + f(g * k.oneMinusBeta1));
    const v = f(f(secondMoment[i] * k.beta2) + f(f(g * g) * k.oneMinusBeta2));
    newFirstMoment[i] = m;
    newSecondMoment[i] = v;
    newValue[i] = f(f(f(f(m / k.biasCorrection1) / f(f(Math.sqrt(f(v / k.biasCorrection2))) + k.epsilon)) * k.negativeLearningRate) + w);
  }
}

/** The scalars exactly as tf.train.adam turns them into float32 tensors. */
export function float32Coefficients(c: AdamCoefficients) {
  return {
    l2: f(c.l2),
    beta1: f(c.beta1),
    oneMinusBeta1: f(1 - c.beta1),
    beta2: f(c.beta2),
    oneMinusBeta2: f(1 - c.beta2),
    biasCorrection1: f(c.biasCorrection1),
    biasCorrection2: f(c.biasCorrection2),
    epsilon: f(c.epsilon),
    negativeLearningRate: f(-c.learningRate),
  };
}

/**
 * βₖᵗ kept the way tf.train.adam keeps it: a float32 that starts at βₖ and is multiplied by
 * βₖ (in float32) after every update, so bias corrections match the stock optimizer's.
 */
export class AdamStepCounter {
  private power1: number;
  private power2: number;

  constructor(
    private readonly beta1: number,
    private readonly beta2: number,
    /** Updates already made (restoring saved optimizer state). */
    steps = 0,
  ) {
    this.power1 = f(beta1);
    this.power2 = f(beta2);
    for (let i = 0; i < steps; i++) this.advance();
  }

  /** 1 − β₁ᵗ and 1 − β₂ᵗ for the coming update. */
  biasCorrections(): { biasCorrection1: number; biasCorrection2: number } {
    return { biasCorrection1: f(1 - this.power1), biasCorrection2: f(1 - this.power2) };
  }

  advance(): void {
    this.power1 = f(this.power1 * f(this.beta1));
    this.power2 = f(this.power2 * f(this.beta2));
  }
}
