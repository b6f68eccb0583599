import { createModel, getWeights, recalibrateBatchNorm, setWeights, type GanModel } from '@fedsynth/gan';
import type { WeightSet } from '@fedsynth/protocol';
import type { CheckpointStore } from '../checkpoints/checkpoint-store';
import { CoordinatorError } from '../errors/coordinator-error';
import type { FederatedRunOptions } from '../federation/run-options';
import type { RoundRepository } from '../store/round.repository';
import { RoundAverage } from './round-average';

export interface AveragedGenerator {
  /** A model holding round `round`'s weights with the generator averaged over the GAN rounds. Dispose it. */
  model: GanModel;
  /** GAN rounds folded into the average (1 when the average is off). */
  rounds: number;
  decay: number;
}

/**
 * The generator a run exports and evaluates after GAN round `round`: the exponential moving
 * average (run option generatorAverage.decay) of the global generator over the run's completed
 * GAN rounds up to `round`, read back from their checkpoints, with its batch-norm statistics
 * recalibrated on noise (the stored ones belong to the last round's weights, not to the
 * average; the generator's batch norm sees only noise, so this needs no record). Computed
 * from checkpoints alone, so it survives restarts and needs no state of its own.
 */
export async function averagedGenerator(input: {
  rounds: RoundRepository;
  checkpoints: CheckpointStore;
  runId: string;
  round: number;
  options: FederatedRunOptions;
  vocabularySize: number;
}): Promise<AveragedGenerator> {
  const { options } = input;
  const decay = options.generatorAverage?.decay ?? 0;
  const ganRounds = input.rounds.list(input.runId).filter((r) => r.status === 'completed' && r.phase === 'gan' && r.round <= input.round && r.checkpoint);
  if (ganRounds.length === 0 || ganRounds[ganRounds.length - 1]!.round !== input.round) {
    throw new CoordinatorError(`run ${input.runId} has no completed GAN round ${input.round}`, 'GENERATOR_NOT_READY');
  }
  const model = createModel(options.modelFamily, { ...options.model, vocabularySize: input.vocabularySize, initSeed: options.train.seed });
  try {
    const generatorNames = new Set(model.stepParameters.generator.map((p) => p.name));
    const average = new RoundAverage(decay, generatorNames);
    // With decay 0 only the last round counts: skip reading the others.
    for (const record of decay > 0 ? ganRounds : ganRounds.slice(-1)) average.add(await input.checkpoints.load(record.checkpoint!));
    setWeights(model, average.result().map((t) => ({ name: t.name, shape: t.shape, values: t.data })));
    if (decay > 0) recalibrateBatchNorm(model, { seed: options.train.seed });
    return { model, rounds: average.rounds, decay };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** averagedGenerator's weights as a WeightSet (for an evaluation task or an experiment). */
export async function averagedGeneratorWeights(input: Parameters<typeof averagedGenerator>[0]): Promise<WeightSet> {
  const { model } = await averagedGenerator(input);
  try {
    return getWeights(model).map((w) => ({ name: w.name, shape: [...w.shape], data: w.values }));
  } finally {
    model.dispose();
  }
}
