import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { FedsynthError } from '@fedsynth/gan';
import type { Command } from '../command';
import { assignSubjects, subjectIds, writeSubsets } from '../demo/mimic-subsets';
import { integerOption, stringOption } from './data-options';

const HELP = `Usage: fedsynth data split --input DIR --out DIR [--sites N] [--holdout-fraction F] [options]

Splits a MIMIC-III folder by patient into one folder per site, OUT/site-1 … OUT/site-N, and
OUT/holdout: a seeded share of the patients is held out, the rest dealt to the sites in turn
(sizes differ by at most one). Every row of DIAGNOSES_ICD, ADMISSIONS and PATIENTS goes with
its patient, unchanged, so each folder reads like the original. For trying a federation on one
data set (the Docker compose demo splits the bundled MIMIC-III demo this way).

Options:
  --input DIR                a MIMIC-III folder (DIAGNOSES_ICD.csv required; ADMISSIONS,
                             PATIENTS copied when present; .csv.gz accepted)
  --out DIR                  where the site folders go (created if missing)
  --sites N                  number of sites, 1..1000 (default: 3)
  --holdout-fraction F       share of patients in OUT/holdout, 0 ≤ F < 1 (default: 0.2;
                             0 writes no holdout folder)
  --seed N                   seed of the split: same input and seed, same folders (default: 1)
  --force                    write into site folders that are not empty (files of the same
                             names are replaced)

Examples:
  fedsynth data split --input data/mimic-iii-demo --sites 3 --out /tmp/sites
  fedsynth data split --input mimic-extract --sites 5 --holdout-fraction 0 --out sites --force
`;

function fractionOption(raw: string | undefined): number {
  if (raw === undefined) return 0.2;
  const value = Number(raw);
  if (raw.trim() === '' || !(value >= 0 && value < 1)) {
    throw new FedsynthError(`--holdout-fraction must be a number from 0 up to (not including) 1, got '${raw}'`, 'CLI_BAD_OPTION');
  }
  return value;
}

async function isNonEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length > 0;
  } catch {
    return false;
  }
}

export const dataSplitCommand: Command = {
  path: ['data', 'split'],
  summary: 'Split a MIMIC-III folder by patient into site folders and a holdout',
  help: HELP,
  options: {
    input: { type: 'string' },
    out: { type: 'string' },
    sites: { type: 'string' },
    'holdout-fraction': { type: 'string' },
    seed: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new FedsynthError(`unexpected argument '${positionals[0]}'`, 'CLI_BAD_ARGUMENT');
    const input = stringOption(values, 'input');
    if (!input) throw new FedsynthError('--input DIR is required (a MIMIC-III folder)', 'CLI_MISSING_OPTION');
    const out = stringOption(values, 'out');
    if (!out) throw new FedsynthError('--out DIR is required (where the site folders go)', 'CLI_MISSING_OPTION');
    const sites = integerOption(values, 'sites', 3, 1, 1000);
    const holdoutFraction = fractionOption(stringOption(values, 'holdout-fraction'));
    const seed = integerOption(values, 'seed', 1, 0, 0xffffffff);

    const names = [...Array.from({ length: sites }, (_, i) => `site-${i + 1}`), ...(holdoutFraction > 0 ? ['holdout'] : [])];
    const dirs = names.map((name) => path.resolve(out, name));
    if (values.force !== true) {
      for (const dir of dirs) {
        if (await isNonEmptyDir(dir)) throw new FedsynthError(`${dir} is not empty; pass --force to write into it`, 'CLI_BAD_OPTION');
      }
    }
    const ids = await subjectIds(path.resolve(input));
    const split = assignSubjects(ids, { sites, holdoutFraction, seed });
    const groups = [...split.sites, ...(holdoutFraction > 0 ? [split.holdout] : [])];
    await writeSubsets(path.resolve(input), new Map(dirs.map((dir, i) => [dir, new Set(groups[i])])));
    const width = Math.max(...names.map((n) => n.length));
    io.out(
      `Split ${ids.length.toLocaleString('en-US')} patients of ${path.resolve(input)} (seed ${seed}):\n` +
        names.map((name, i) => `  ${name.padEnd(width)}  ${groups[i].length.toLocaleString('en-US').padStart(7)} patients  ${dirs[i]}`).join('\n') +
        '\n',
    );
    return 0;
  },
};
