import * as tf from '@tensorflow/tfjs';
import { adamUpdate, float32Coefficients, type AdamArrays, type AdamCoefficients } from './adam-update';
import { simdKernelsOf } from '../backend/wasm-simd-module';

/**
 * A TensorFlow.js kernel running the Adam update over a variable's memory in one pass: inputs
 * {value, gradient, firstMoment, secondMoment}, attrs AdamCoefficients, outputs
 * [newValue, newFirstMoment, newSecondMoment] in fresh buffers.
 *
 * Why: tf.train.adam launches ~12 element-wise kernels per variable and update, each reading
 * and writing the whole tensor; with medGAN's two 1071 × 256 first-layer kernels that was
 * ~10% of a training step on wasm. Registered for the backends whose tensors live in memory
 * JS can reach: wasm (the module's heap, updated by the SIMD loop of
 * backend/wasm-simd-module.ts) and cpu (typed arrays, updated by adamUpdate's loop). Outputs
 * are fresh rather than written in place because tensors may share memory (reshape, clone),
 * and tfjs assumes a tensor never changes.
 */
export const ADAM_UPDATE_KERNEL = 'FedsynthAdamUpdate';

const INPUT_NAMES = ['value', 'gradient', 'firstMoment', 'secondMoment'] as const;

interface WasmLikeBackend {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface CpuLikeBackend {
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
  readSync(dataId: object): Float32Array;
}

function checkedInputs(inputs: tf.NamedTensorInfoMap): tf.TensorInfo[] {
  return INPUT_NAMES.map((name) => {
    const info = inputs[name];
    if (!info) throw new Error(`${ADAM_UPDATE_KERNEL}: missing input '${name}'`);
    if (info.dtype !== 'float32') throw new Error(`${ADAM_UPDATE_KERNEL}: '${name}' is ${info.dtype}, expected float32`);
    const shape = inputs['value']?.shape ?? [];
    if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`${ADAM_UPDATE_KERNEL}: '${name}' has shape [${info.shape.join(', ')}], expected [${shape.join(', ')}] like 'value'`);
    }
    return info;
  });
}

function coefficients(attrs: tf.NamedAttrMap | undefined): AdamCoefficients {
  const names = ['learningRate', 'beta1', 'beta2', 'epsilon', 'l2', 'biasCorrection1', 'biasCorrection2'] as const;
  for (const name of names) {
    if (typeof attrs?.[name] !== 'number') throw new Error(`${ADAM_UPDATE_KERNEL}: attribute '${name}' must be a number`);
  }
  return attrs as unknown as AdamCoefficients;
}

function wasmAdamUpdate(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const [value, gradient, firstMoment, secondMoment] = checkedInputs(args.inputs);
  const c = coefficients(args.attrs);
  const backend = args.backend as WasmLikeBackend;
  const outputs = [0, 1, 2].map(() => backend.makeOutput([...value.shape], 'float32'));
  // Views are taken only after every allocation: growing the heap detaches earlier views.
  const view = (info: tf.TensorInfo) => backend.typedArrayFromHeap(info);
  const arrays: AdamArrays = {
    value: view(value),
    gradient: view(gradient),
    firstMoment: view(firstMoment),
    secondMoment: view(secondMoment),
    newValue: view(outputs[0]),
    newFirstMoment: view(outputs[1]),
    newSecondMoment: view(outputs[2]),
  };
  const simd = simdKernelsOf(backend)?.adam;
  // SIMD over whole vectors of 4; the JS loop (same arithmetic) for the rest, or for all of
  // it on a runtime without SIMD.
  const vectorised = simd ? arrays.value.length & ~3 : 0;
  if (simd && vectorised > 0) {
    const k = float32Coefficients(c);
    const a = arrays;
    simd(
      a.value.byteOffset,
      a.gradient.byteOffset,
      a.firstMoment.byteOffset,
      a.secondMoment.byteOffset,
      a.newValue.byteOffset,
      a.newFirstMoment.byteOffset,
      a.newSecondMoment.byteOffset,
      vectorised * 4,
      k.l2,
      k.beta1,
      k.oneMinusBeta1,
      k.beta2,
      k.oneMinusBeta2,
      k.biasCorrection1,
      k.biasCorrection2,
      k.epsilon,
      k.negativeLearningRate,
    );
  }
  if (vectorised < arrays.value.length) {
    const rest = Object.fromEntries(Object.entries(arrays).map(([name, array]) => [name, (array as Float32Array).subarray(vectorised)])) as unknown as AdamArrays;
    adamUpdate(rest, c);
  }
  return outputs;
}

function cpuAdamUpdate(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const [value, gradient, firstMoment, secondMoment] = checkedInputs(args.inputs);
  const backend = args.backend as CpuLikeBackend;
  const read = (info: tf.TensorInfo) => backend.readSync(info.dataId);
  const size = read(value).length;
  const out = [new Float32Array(size), new Float32Array(size), new Float32Array(size)];
  adamUpdate(
    {
      value: read(value),
      gradient: read(gradient),
      firstMoment: read(firstMoment),
      secondMoment: read(secondMoment),
      newValue: out[0],
      newFirstMoment: out[1],
      newSecondMoment: out[2],
    },
    coefficients(args.attrs),
  );
  return out.map((values) => backend.makeTensorInfo([...value.shape], 'float32', values));
}

const KERNELS: Record<string, tf.KernelFunc> = {
  wasm: wasmAdamUpdate as unknown as tf.KernelFunc,
  cpu: cpuAdamUpdate as unknown as tf.KernelFunc,
};

/** Registers the kernel for wasm and cpu (once; later calls do nothing). */
export function registerAdamUpdateKernel(): void {
  for (const [backendName, kernelFunc] of Object.entries(KERNELS)) {
    if (!tf.getKernel(ADAM_UPDATE_KERNEL, backendName)) tf.registerKernel({ kernelName: ADAM_UPDATE_KERNEL, backendName, kernelFunc });
  }
}

/** True when the active backend has the fused kernel; otherwise the caller uses tf ops. */
export function hasAdamUpdateKernel(): boolean {
  return tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) !== undefined;
}

/** Runs the kernel: [newValue, newFirstMoment, newSecondMoment]. */
export function runAdamUpdateKernel(value: tf.Tensor, gradient: tf.Tensor, firstMoment: tf.Tensor, secondMoment: tf.Tensor, c: AdamCoefficients): tf.Tensor[] {
  const inputs = { value, gradient, firstMoment, secondMoment } as unknown as tf.NamedTensorMap;
  return tf.engine().runKernel(ADAM_UPDATE_KERNEL, inputs, { ...c } as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
