import { decodeModelSpec } from '@fedsynth/site-agent';
import { encodeModelSpec } from './model-spec';

describe('model spec in TrainTask.options.extra', () => {
  it('is read back by the site agent as the same architecture', () => {
    const model = { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8], discriminatorSteps: 2, minibatchAveraging: false, l2: 0.001 };

    expect(decodeModelSpec({ ...encodeModelSpec(model), unrelated: 1 })).toEqual(model);
  });

  it('leaves unset options to the family defaults', () => {
    expect(decodeModelSpec(encodeModelSpec({}))).toEqual({});
  });
});
