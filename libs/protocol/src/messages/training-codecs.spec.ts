import { createEnvelope } from '../envelope/create-envelope';
import { decodeEnvelope } from '../envelope/decode-envelope';
import { encodeEnvelope } from '../envelope/encode-envelope';
import type { TrainOptions, TrainTask } from './types';

const weights = [{ name: 'w', shape: [1], data: new Float32Array([0.5]) }];
const task = (options: TrainOptions): TrainTask => ({ runId: 'run-1', round: 0, phase: 'gan', modelFamily: 'medgan', weights, options });

function optionsBack(options: TrainOptions): TrainOptions | undefined {
  const back = decodeEnvelope(encodeEnvelope(createEnvelope('trainTask', task(options))));
  return back.body.kind === 'trainTask' ? back.body.value.options : undefined;
}

describe('TrainOptions on the wire', () => {
  const epochs: TrainOptions = { localEpochs: 2, batchSize: 50, learningRate: 2e-3, seed: 7, extra: {} };

  it('carries local steps when set, and leaves them absent for whole epochs', () => {
    expect(optionsBack({ ...epochs, localSteps: 72 })).toEqual({ ...epochs, localSteps: 72 });
    expect(optionsBack(epochs)).toEqual(epochs);
    // 0 is the wire's "not set": it comes back as whole epochs, not as a round of no steps.
    expect(optionsBack({ ...epochs, localSteps: 0 })).toEqual(epochs);
  });

  it('refuses local steps that are not a uint32, naming the field', () => {
    expect(() => encodeEnvelope(createEnvelope('trainTask', task({ ...epochs, localSteps: 1.5 })))).toThrow(
      /trainTask\.options\.localSteps/,
    );
  });
});
