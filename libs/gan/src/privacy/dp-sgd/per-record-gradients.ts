import * as tf from '@tensorflow/tfjs';

/**
 * One rank-one piece of every record's gradient for a dense kernel. For y = a·W + b the
 * gradient of record i's loss is a_iᵀ·g_i (a_i the layer's input row, g_i = ∂ℓ_i/∂y_i), an
 * outer product: a loss that reaches a kernel along several paths (WGAN-GP's penalty goes
 * through the network's own backward pass) gives one term per path. Rows are records; a
 * term may cover only the first rows of the batch (its other records have no such path).
 */
export interface RankOneTerm {
  /** [rows_t, in] */
  readonly input: tf.Tensor2D;
  /** [rows_t, out], aligned with `input` */
  readonly outputGrad: tf.Tensor2D;
}

/** Per-record gradient factors of one dense layer. */
export interface LayerGradientTerms {
  readonly kernel: tf.Variable;
  readonly bias?: tf.Variable;
  readonly kernelTerms: readonly RankOneTerm[];
  /** Each record's bias gradient [rows, out] (the g of the layer's forward term). */
  readonly biasGrad?: tf.Tensor2D;
}

function rows(t: tf.Tensor2D): number {
  return t.shape[0];
}

function firstRows(t: tf.Tensor2D, n: number): tf.Tensor2D {
  return n === rows(t) ? t : tf.slice(t, [0, 0], [n, -1]);
}

/** Σ_j a_ij·b_ij for every row i. */
function rowDot(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(a === b ? tf.square(a) : tf.mul(a, b), 1);
}

function padTo(v: tf.Tensor1D, n: number): tf.Tensor1D {
  return v.shape[0] === n ? v : tf.concat([v, tf.zeros([n - v.shape[0]])]);
}

function checkTerms(layers: readonly LayerGradientTerms[], total: number): void {
  for (const layer of layers) {
    for (const term of layer.kernelTerms) {
      if (rows(term.input) !== rows(term.outputGrad) || rows(term.input) > total) {
        throw new Error(`per-record gradient term has ${rows(term.input)} input rows and ${rows(term.outputGrad)} gradient rows for a batch of ${total}`);
      }
    }
    if (layer.biasGrad && rows(layer.biasGrad) !== total) throw new Error(`per-record bias gradient has ${rows(layer.biasGrad)} rows for a batch of ${total}`);
  }
}

/**
 * ‖∇ℓ_i‖² over all of the network's parameters, for every record i, without forming any
 * per-record gradient: ‖a_iᵀg_i‖²_F = ‖a_i‖²·‖g_i‖², and for two terms of the same record
 * ⟨a_iᵀg_i, a'_iᵀg'_i⟩_F = (a_i·a'_i)(g_i·g'_i). Cost: a few row sums over tensors the
 * passes already hold, instead of one backward pass per record.
 */
export function perRecordSquaredNorms(layers: readonly LayerGradientTerms[], total: number): tf.Tensor1D {
  checkTerms(layers, total);
  let sum: tf.Tensor1D = tf.zeros([total]);
  for (const layer of layers) {
    const terms = layer.kernelTerms;
    terms.forEach((t, i) => {
      sum = tf.add(sum, padTo(tf.mul(rowDot(t.input, t.input), rowDot(t.outputGrad, t.outputGrad)), total));
      for (let j = i + 1; j < terms.length; j++) {
        const u = terms[j];
        const n = Math.min(rows(t.input), rows(u.input));
        const cross = tf.mul(rowDot(firstRows(t.input, n), firstRows(u.input, n)), rowDot(firstRows(t.outputGrad, n), firstRows(u.outputGrad, n)));
        sum = tf.add(sum, padTo(tf.mul(cross, 2), total));
      }
    });
    if (layer.biasGrad) sum = tf.add(sum, rowDot(layer.biasGrad, layer.biasGrad));
  }
  return sum;
}

/**
 * Σ_i w_i·∇ℓ_i for every parameter, as one matMul per term: Σ_i w_i·a_iᵀg_i = aᵀ·(w ⊙ g).
 * With w_i = min(1, C/‖∇ℓ_i‖) this is the clipped sum DP-SGD adds its noise to.
 */
export function weightedGradientSums(layers: readonly LayerGradientTerms[], weights: tf.Tensor1D): Map<tf.Variable, tf.Tensor> {
  const total = weights.shape[0];
  checkTerms(layers, total);
  const column = tf.reshape(weights, [total, 1]) as tf.Tensor2D;
  const sums = new Map<tf.Variable, tf.Tensor>();
  for (const layer of layers) {
    let kernel: tf.Tensor | undefined;
    for (const term of layer.kernelTerms) {
      const weighted = tf.mul(term.outputGrad, firstRows(column, rows(term.outputGrad)));
      const product = tf.matMul(term.input, weighted, true, false);
      kernel = kernel ? tf.add(kernel, product) : product;
    }
    sums.set(layer.kernel, kernel ?? tf.zerosLike(layer.kernel));
    if (layer.bias) sums.set(layer.bias, layer.biasGrad ? tf.sum(tf.mul(layer.biasGrad, column), 0) : tf.zerosLike(layer.bias));
  }
  return sums;
}

/** c_i = min(1, C/‖∇ℓ_i‖), written as C/max(‖∇ℓ_i‖, C) so a zero gradient needs no 0/0. */
export function clipFactors(squaredNorms: tf.Tensor1D, clipNorm: number): tf.Tensor1D {
  return tf.div(clipNorm, tf.maximum(tf.sqrt(squaredNorms), clipNorm));
}
