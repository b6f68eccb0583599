import { FedsynthError } from '../../errors/fedsynth-error';
import type { Dataset, ReadOptions } from '../dataset';
import { readLong } from './read-long';
import { readMimic } from './read-mimic';
import { readWide } from './read-wide';

export const DATA_FORMATS = ['mimic', 'long', 'wide'] as const;

/** Reads any supported layout into a binary record × code matrix. */
export async function readDataset(options: ReadOptions): Promise<Dataset> {
  if (options.unit !== undefined && options.unit !== 'patient' && options.unit !== 'admission') {
    throw new FedsynthError(`unknown record unit '${options.unit as string}' (use patient or admission)`, 'DATA_BAD_OPTION');
  }
  if (options.unit === 'admission' && options.format !== 'mimic') {
    throw new FedsynthError(`--unit admission needs --format mimic (a ${options.format} file has no admission ids)`, 'DATA_BAD_OPTION');
  }
  if (options.minCount !== undefined && (!Number.isInteger(options.minCount) || options.minCount < 1)) {
    throw new FedsynthError(`minimum record count must be a whole number ≥ 1, got ${options.minCount}`, 'DATA_BAD_OPTION');
  }
  switch (options.format) {
    case 'mimic':
      return readMimic(options);
    case 'long':
      return readLong(options);
    case 'wide':
      return readWide(options);
    default:
      throw new FedsynthError(`unknown data format '${options.format as string}' (use one of: ${DATA_FORMATS.join(', ')})`, 'DATA_UNKNOWN_FORMAT');
  }
}
