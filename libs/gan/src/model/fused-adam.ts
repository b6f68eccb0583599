import * as tf from '@tensorflow/tfjs';
import { AdamStepCounter, type AdamCoefficients } from './adam-update';
import { hasAdamUpdateKernel, registerAdamUpdateKernel, runAdamUpdateKernel } from './fused-adam-kernel';

registerAdamUpdateKernel();

/** One variable's update: its gradient and the L2 scale λ whose λ·w joins the gradient. */
export interface DecayedGradient {
  readonly variable: tf.Variable;
  readonly gradient: tf.Tensor;
  readonly l2: number;
}

/** tfjs's NamedTensor (not re-exported by @tensorflow/tfjs). */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

interface Moments {
  readonly first: tf.Variable;
  readonly second: tf.Variable;
}

/**
 * tf.train.adam with the same arithmetic (see adam-update.ts), updating each variable in one
 * fused pass on wasm and cpu, and optionally folding an L2 penalty into the gradients inside
 * that pass. Other backends (tfjs-node) run the same steps as tf ops. Moments are kept per
 * variable (by name) and live until dispose().
 */
export class FusedAdam extends tf.Optimizer {
  static get className(): string {
    return 'FedsynthFusedAdam';
  }

  private readonly moments = new Map<string, Moments>();
  private counter: AdamStepCounter;

  constructor(
    readonly learningRate: number,
    readonly beta1: number,
    readonly beta2: number,
    /** tf.train.adam's default: the backend's epsilon (1e-7 for float32). */
    readonly epsilon: number = tf.backend().epsilon(),
  ) {
    super();
    this.counter = new AdamStepCounter(beta1, beta2);
  }

  applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients) ? variableGradients.map((g) => [g.name, g.tensor] as const) : Object.entries(variableGradients);
    this.applyDecayedGradients(
      entries.map(([name, gradient]) => {
        const variable = tf.engine().registeredVariables[name];
        if (!variable) throw new Error(`FusedAdam: no variable named '${name}'`);
        return { variable, gradient, l2: 0 };
      }),
    );
  }

  /** One Adam step over `updates`; each variable's gradient gets λ·w added first. */
  applyDecayedGradients(updates: readonly DecayedGradient[]): void {
    const coefficients = { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, ...this.counter.biasCorrections() };
    const fused = hasAdamUpdateKernel();
    tf.tidy(() => {
      for (const { variable, gradient, l2 } of updates) {
        if (!Number.isFinite(l2) || l2 < 0) throw new Error(`FusedAdam: l2 for '${variable.name}' must be a finite number ≥ 0, got ${l2}`);
        if (gradient.dtype !== 'float32' || !tf.util.arraysEqual(gradient.shape, variable.shape)) {
          throw new Error(`FusedAdam: gradient for '${variable.name}' is ${gradient.dtype} [${gradient.shape.join(', ')}], expected float32 [${variable.shape.join(', ')}]`);
        }
        const { first, second } = this.momentsOf(variable);
        const c: AdamCoefficients = { ...coefficients, l2 };
        const [value, m, v] = fused ? runAdamUpdateKernel(variable, gradient, first, second, c) : adamWithOps(variable, gradient, first, second, c);
        first.assign(m);
        second.assign(v);
        variable.assign(value);
      }
    });
    this.counter.advance();
    this.incrementIterations();
  }

  private momentsOf(variable: tf.Variable): Moments {
    let moments = this.moments.get(variable.name);
    if (!moments) {
      moments = tf.tidy(() => ({ first: tf.zerosLike(variable).variable(false), second: tf.zerosLike(variable).variable(false) }));
      this.moments.set(variable.name, moments);
    }
    return moments;
  }

  override dispose(): void {
    for (const { first, second } of this.moments.values()) {
      first.dispose();
      second.dispose();
    }
    this.moments.clear();
    super.dispose();
  }

  /** tf.train.adam's layout: the iteration count, then every first moment, then every second. */
  override async getWeights(): Promise<NamedTensor[]> {
    const all = [...this.moments.entries()];
    return [
      await this.saveIterations(),
      ...all.map(([name, m]) => ({ name: `${name}/m`, tensor: m.first })),
      ...all.map(([name, m]) => ({ name: `${name}/v`, tensor: m.second })),
    ];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    if (rest.length % 2 !== 0) throw new Error(`FusedAdam.setWeights: expected first and second moments in pairs, got ${rest.length} tensors`);
    const half = rest.length / 2;
    const restored = new Map<string, Moments>();
    for (let i = 0; i < half; i++) {
      const first = rest[i];
      const second = rest[half + i];
      const name = first.name.replace(/\/m$/, '');
      if (first.name !== `${name}/m` || second.name !== `${name}/v`) {
        throw new Error(`FusedAdam.setWeights: expected '${name}/m' and '${name}/v', got '${first.name}' and '${second.name}'`);
      }
      restored.set(name, { first: first.tensor.variable(false), second: second.tensor.variable(false) });
    }
    for (const { first, second } of this.moments.values()) tf.dispose([first, second]);
    this.moments.clear();
    for (const [name, m] of restored) this.moments.set(name, m);
    this.counter = new AdamStepCounter(this.beta1, this.beta2, this.iterations);
  }

  getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** The same update as tf ops, in tf.train.adam's order, for backends without the kernel. */
function adamWithOps(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, c: AdamCoefficients): tf.Tensor[] {
  const gradient = c.l2 > 0 ? tf.add(g, tf.mul(w, c.l2)) : g;
  const newM = tf.add(tf.mul(m, c.beta1), tf.mul(gradient, 1 - c.beta1));
  const newV = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(gradient), 1 - c.beta2));
  const mHat = tf.div(newM, c.biasCorrection1);
  const vHat = tf.div(newV, c.biasCorrection2);
  const newW = tf.add(tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), c.epsilon)), -c.learningRate), w);
  return [newW, newM, newV];
}
