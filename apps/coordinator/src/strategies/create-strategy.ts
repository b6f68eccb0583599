import { CoordinatorError } from '../errors/coordinator-error';
import { DEFAULT_SELECTION } from './base.strategy';
import { FedAdam, type FedAdamOptions } from './fed-adam.strategy';
import { FedAvg, type FedAvgOptions } from './fed-avg.strategy';
import { FedMedian, type FedMedianOptions } from './fed-median.strategy';
import { FedNova, type FedNovaOptions } from './fed-nova.strategy';
import { FedTrimmedMean, type FedTrimmedMeanOptions } from './fed-trimmed-mean.strategy';
import type { Strategy } from './strategy';

/** A strategy as stored in a run's options JSON: its name and its settings. */
export type StrategyConfig =
  | ({ name: 'fedavg' } & FedAvgOptions)
  | ({ name: 'fedadam' } & FedAdamOptions)
  | ({ name: 'fednova' } & FedNovaOptions)
  | ({ name: 'fedmedian' } & FedMedianOptions)
  | ({ name: 'fedtrimmedmean' } & FedTrimmedMeanOptions);

export const STRATEGY_NAMES = ['fedavg', 'fedadam', 'fednova', 'fedmedian', 'fedtrimmedmean'] as const;

/** Each strategy's own settings; every strategy also takes the selection settings. */
const OWN_SETTINGS: Record<(typeof STRATEGY_NAMES)[number], readonly string[]> = {
  fedavg: ['serverLearningRate', 'serverMomentum'],
  fedadam: ['eta', 'beta1', 'beta2', 'tau'],
  fednova: ['serverLearningRate'],
  fedmedian: [],
  fedtrimmedmean: ['trimFraction'],
};

/**
 * Builds the strategy a run names; an unknown name is refused listing the known ones, and a
 * setting the strategy does not have (FedNova's serverMomentum) listing the ones it has,
 * rather than being ignored.
 */
export function createStrategy(config: StrategyConfig): Strategy {
  const { name, ...options } = config;
  const own = (OWN_SETTINGS as Record<string, readonly string[] | undefined>)[name];
  if (own) {
    const allowed = [...own, ...Object.keys(DEFAULT_SELECTION)];
    const unknown = Object.keys(options).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) {
      throw new CoordinatorError(`strategy ${name} has no setting ${unknown.join(', ')}; its settings are ${allowed.join(', ')}`, 'INVALID_OPTION');
    }
  }
  switch (name) {
    case 'fedavg':
      return new FedAvg(options);
    case 'fedadam':
      return new FedAdam(options);
    case 'fednova':
      return new FedNova(options);
    case 'fedmedian':
      return new FedMedian(options);
    case 'fedtrimmedmean':
      return new FedTrimmedMean(options);
    default:
      throw new CoordinatorError(
        `unknown strategy ${JSON.stringify(name)}; expected one of ${STRATEGY_NAMES.join(', ')}`,
        'INVALID_OPTION',
      );
  }
}
