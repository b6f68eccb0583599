import { CoordinatorError } from '../errors/coordinator-error';
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

/** Builds the strategy a run names; an unknown name is refused listing the known ones. */
export function createStrategy(config: StrategyConfig): Strategy {
  const { name, ...options } = config;
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
