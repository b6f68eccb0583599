import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FedsynthError } from '../../errors/fedsynth-error';

/** What a simulation writes at the top of its folder; `overwrite` removes only these. */
export function isSimulationEntry(name: string): boolean {
  return /^site-\d+$/.test(name) || name === 'holdout' || name === 'cohort.json' || name === 'model.json';
}

/**
 * Makes `dir` ready for a new cohort. A non-empty folder is refused unless `overwrite`, and
 * even then only an earlier simulation's entries (site-N/, holdout/, cohort.json, model.json)
 * are removed: stale site folders from a run with more sites must go, but files the user put
 * there are never deleted.
 */
export async function prepareOutputDir(dir: string, overwrite: boolean): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true });
    return;
  }
  if (!isDirectory) throw new FedsynthError(`output path ${dir} exists and is not a folder`, 'OUTPUT_NOT_A_FOLDER');
  const entries = (await readdir(dir)).sort();
  if (entries.length === 0) return;
  if (!overwrite) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
    throw new FedsynthError(
      `output folder ${dir} is not empty (${shown}); choose an empty folder, or pass --force to replace an earlier simulation there`,
      'OUTPUT_NOT_EMPTY',
    );
  }
  for (const name of entries.filter(isSimulationEntry)) await rm(join(dir, name), { recursive: true, force: true });
}
