import { resolveModelOptions, type AutoencodingGanOptions } from '../model-options';
import { medganStepFlops } from './step-flops';

describe('medganStepFlops', () => {
  it('counts the matrix products of each step from the layer shapes (hand-checked small case)', () => {
    const o = resolveModelOptions('medgan', { vocabularySize: 4, latentDim: 2, generatorBlocks: 1, discriminatorDims: [3], minibatchAveraging: false }) as AutoencodingGanOptions;
    // B = 5. Generator forward 2·5·2·2 + 2·5·2·4 = 120; discriminator forward 2·5·4·3 + 2·5·3·1 = 150.
    // D step: 120 + 2 × (150 + 120 (first-layer weight gradient) + 2 × 30 (output layer dW, dX)) = 780.
    // G step: 120 + 150 + 30 + 120 (input gradient through layer 1) + 160 (decoder dW, dX) + 40 (block dW) = 620.
    expect(medganStepFlops(o, 5)).toEqual({ discriminatorStep: 780, generatorStep: 620, ganStep: 2 * 780 + 620, autoencoderStep: 400, ganStepByRule: 2 * 1020 + 810 });
  });

  it('puts a medGAN step at 1,071 codes and batch 256 at about 2.1 GFLOP', () => {
    const o = resolveModelOptions('medgan', { vocabularySize: 1071 }) as AutoencodingGanOptions;
    const flops = medganStepFlops(o, 256);
    expect(flops.ganStep / 1e9).toBeCloseTo(2.075, 2);
    expect(flops.ganStepByRule).toBeGreaterThan(flops.ganStep);
  });
});
