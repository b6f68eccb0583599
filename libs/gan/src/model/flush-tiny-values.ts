import * as tf from '@tensorflow/tfjs';
import type { GanModel } from './gan-model';

/**
 * Magnitudes below this are set to exactly 0. Far below anything that moves a float32
 * weight (updates are ~1e-3), yet far above the subnormal range (< 1.2e-38).
 */
const TINY = 1e-30;

/**
 * Optimizer updates between two flushes. A value just above TINY must not decay into the
 * subnormal range before the next flush: at Adam's fastest decay (β = 0.5 per update) that
 * takes 26 updates.
 */
export const UPDATES_PER_FLUSH = 20;

/**
 * Sets every weight and Adam moment smaller than 1e-30 in magnitude to 0.
 *
 * Why: after a few hundred steps some discriminator units die (ReLU never active), their
 * weights then see only the L2 penalty and their Adam moments only zero gradients, and both
 * decay geometrically into subnormal floats. WebAssembly must compute subnormals exactly and
 * x86 does so in microcode, ~100× slower: a medGAN epoch went from 10 s to 50 s within
 * 20 epochs, with 34,000 subnormal weights and 44,000 subnormal moments in the discriminator.
 * Zero is fast, and a unit this dead loses nothing by being exactly dead.
 */
export async function flushTinyValues(model: GanModel): Promise<void> {
  const targets: tf.Variable[] = model.params.list().map((p) => p.variable);
  const { discriminator, generator, autoencoder } = model.optimizers();
  for (const optimizer of [discriminator, generator, autoencoder]) {
    if (!optimizer) continue;
    // Adam's moment variables themselves, after a fresh scalar holding the iteration count.
    const [iterations, ...moments] = await optimizer.getWeights();
    iterations?.tensor.dispose();
    for (const m of moments) if (m.tensor instanceof tf.Variable) targets.push(m.tensor);
  }
  tf.tidy(() => {
    for (const v of targets) v.assign(tf.where(tf.less(tf.abs(v), TINY), tf.zerosLike(v), v));
  });
}
