import { FedsynthError } from '../errors/fedsynth-error';
import { selectRows } from './binary-matrix';
import type { Dataset, Demographics } from './dataset';
import { createRng } from './simulate/prng';

export interface SplitOptions {
  /** Share of records held out, in (0, 1). Default 0.2. */
  holdoutFraction?: number;
  /** Same seed, same split: evaluation must be reproducible. Default 1. */
  seed?: number;
}

function pick<T>(values: readonly T[], rows: readonly number[]): T[] {
  return rows.map((r) => values[r]);
}

function subset(ds: Dataset, rows: number[]): Dataset {
  const demographics: Demographics | undefined = ds.demographics
    ? { sex: pick(ds.demographics.sex, rows), age: pick(ds.demographics.age, rows) }
    : undefined;
  return {
    recordIds: pick(ds.recordIds, rows),
    vocabulary: ds.vocabulary,
    matrix: selectRows(ds.matrix, rows),
    stats: ds.stats,
    ...(demographics ? { demographics } : {}),
  };
}

/**
 * A seeded split by record into train and holdout sets sharing one vocabulary. Records keep
 * their original relative order inside each part, so the split depends only on the seed.
 */
export function splitTrainHoldout(ds: Dataset, options: SplitOptions = {}): { train: Dataset; holdout: Dataset } {
  const fraction = options.holdoutFraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1)) {
    throw new FedsynthError(`holdout fraction must be between 0 and 1 (exclusive), got ${fraction}`, 'DATA_BAD_OPTION');
  }
  const n = ds.matrix.rows;
  const holdoutSize = Math.round(n * fraction);
  if (holdoutSize < 1 || holdoutSize >= n) {
    throw new FedsynthError(`cannot hold out ${fraction} of ${n} records: each part needs at least one record`, 'DATA_BAD_OPTION');
  }
  const order = createRng(options.seed ?? 1).shuffle(Array.from({ length: n }, (_, i) => i));
  const holdoutRows = order.slice(0, holdoutSize).sort((a, b) => a - b);
  const trainRows = order.slice(holdoutSize).sort((a, b) => a - b);
  return { train: subset(ds, trainRows), holdout: subset(ds, holdoutRows) };
}
