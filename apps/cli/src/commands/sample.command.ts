import path from 'node:path';
import {
  FedsynthError,
  initBackend,
  loadSampler,
  manifestDraw,
  SAMPLE_DRAWS,
  sampleRecords,
  SYNTHETIC_LAYOUTS,
  writeSyntheticCsv,
  type SampleDraw,
  type SyntheticLayout,
} from '@fedsynth/gan';
import type { Command } from '../command';
import { integerOption, stringOption } from './data-options';

const DEFAULT_COUNT = 10_000;

const HELP = `Usage: fedsynth sample --model MODEL_DIR --out FILE.csv [options]

Draws synthetic patient records from a model exported by 'fedsynth train' (or pulled from a
federation): standard normal noise through the generator gives each code a probability, and
each code is drawn present with that probability (or, with --draw round, present when it is
at least the model's threshold, 0.5, as medGAN does; rounding drops every code the generator
keeps below 0.5). Written as CSV with synthetic patient ids that fedsynth's readers accept
(--format long or --format wide).

Options:
  --model MODEL_DIR          the exported model folder (model.json, weights.bin, fedsynth.json)
  --n N                      number of synthetic records (default: ${DEFAULT_COUNT.toLocaleString('en-US')})
  --out FILE                 the CSV to write (required)
  --layout long|wide         long: 'patient,code', one row per code (default);
                             wide: 'patient,<code>,…' with one 0/1 column per code
  --draw bernoulli|round     how probabilities become codes (default: the model's, bernoulli;
                             round for models exported before 2026-11-28)
  --seed N                   seeds the noise and draws: same model, seed and N give the same file (default: 1)
  --id-prefix TEXT           prefix of the synthetic patient ids (default: synthetic-)

Examples:
  fedsynth sample --model models/demo --n 10000 --out synthetic.csv
  fedsynth sample --model models/demo --n 500 --layout wide --out synthetic-wide.csv --seed 7
`;

export const sampleCommand: Command = {
  path: ['sample'],
  summary: 'Draw synthetic patient records from an exported model into a CSV',
  help: HELP,
  options: {
    model: { type: 'string' },
    n: { type: 'string' },
    out: { type: 'string' },
    layout: { type: 'string' },
    seed: { type: 'string' },
    draw: { type: 'string' },
    'id-prefix': { type: 'string' },
  },
  async run(values, _positionals, io) {
    const modelDir = stringOption(values, 'model');
    if (!modelDir) throw new FedsynthError('--model is required (a folder written by fedsynth train)', 'CLI_MISSING_OPTION');
    const out = stringOption(values, 'out');
    if (!out) throw new FedsynthError('--out is required (the CSV file to write)', 'CLI_MISSING_OPTION');
    const layout = (stringOption(values, 'layout') ?? 'long') as SyntheticLayout;
    if (!SYNTHETIC_LAYOUTS.includes(layout)) throw new FedsynthError(`--layout must be one of ${SYNTHETIC_LAYOUTS.join(', ')}, got '${layout}'`, 'CLI_BAD_OPTION');
    const count = integerOption(values, 'n', DEFAULT_COUNT, 1, 100_000_000);
    const seed = integerOption(values, 'seed', 1, 0, 0xffffffff);
    const idPrefix = stringOption(values, 'id-prefix') ?? 'synthetic-';
    const drawOption = stringOption(values, 'draw') as SampleDraw | undefined;
    if (drawOption !== undefined && !SAMPLE_DRAWS.includes(drawOption)) throw new FedsynthError(`--draw must be one of ${SAMPLE_DRAWS.join(', ')}, got '${drawOption}'`, 'CLI_BAD_OPTION');

    await initBackend({ log: (line) => io.err(`${line}\n`) });
    const started = performance.now();
    const loaded = await loadSampler(path.resolve(modelDir));
    try {
      const draw = drawOption ?? manifestDraw(loaded.manifest);
      const matrix = sampleRecords(loaded.sampler, { count, seed, draw, threshold: loaded.manifest.sampler.threshold });
      const file = path.resolve(out);
      const written = await writeSyntheticCsv(file, matrix, loaded.vocabulary, { layout, idPrefix });
      const seconds = (performance.now() - started) / 1000;
      const perRecord = matrix.rows === 0 ? 0 : matrix.indices.length / matrix.rows;
      io.out(
        `Sampled ${count.toLocaleString('en-US')} synthetic records from ${loaded.manifest.family} model ${path.resolve(modelDir)} in ${seconds.toFixed(1)} s (${draw === 'round' ? `rounded at ${loaded.manifest.sampler.threshold}` : 'Bernoulli draws'})\n` +
          `  ${perRecord.toFixed(2)} codes per record; ${written.emptyRecords.toLocaleString('en-US')} records with no code` +
          `${layout === 'long' && written.emptyRecords > 0 ? ' (they have no row in the long layout)' : ''}\n` +
          `  wrote ${written.rows.toLocaleString('en-US')} ${layout} rows to ${file}\n`,
      );
      return 0;
    } finally {
      loaded.dispose();
    }
  },
};
