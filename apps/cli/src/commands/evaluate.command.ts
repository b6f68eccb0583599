import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DATA_FORMATS,
  evaluateQuality,
  FedsynthError,
  readDataset,
  renderQualityReportHtml,
  splitTrainHoldout,
  type DataFormat,
  type Dataset,
  type QualityReport,
  type ReadOptions,
} from '@fedsynth/gan';
import type { Command, Io, OptionValues } from '../command';
import { DATA_INPUT_OPTIONS, integerOption, readOptionsFrom, stringOption } from './data-options';

const HELP = `Usage: fedsynth evaluate --train PATH --holdout PATH --synthetic PATH --out DIR [options]
       fedsynth evaluate --input PATH [--holdout-fraction F] --synthetic PATH --out DIR [options]

Judges synthetic records the way clinical data scientists do and writes DIR/report.json and a
self-contained DIR/report.html (opens offline): fidelity (prevalence, codes per record,
co-occurrence), utility (train-on-synthetic/test-on-real prediction, detection AUC) and privacy
(distance to closest record, membership and attribute inference, exact copies), each beside
baselines computed in the same run: independent marginals, a Bernoulli mixture fitted by EM, and
the held-out records where a metric allows it. Only aggregates are written, never a record.

The vocabulary is built from the real training data (with --input: from the whole input, as
'fedsynth train' builds it); held-out and synthetic records are read against it, and codes
outside it are dropped and counted in the report.

Real records, either as two inputs:
  --train PATH               real training records (X): what the generator learnt from
  --holdout PATH             real held-out records (H): never seen by the generator
or as one input split here:
  --input PATH               real records, split into X and H exactly as 'fedsynth train
                             --holdout-fraction F --seed N' splits them (same F and N, same
                             records held out). H must be records the generator never saw.
  --holdout-fraction F       share of --input held out (default: 0.2)
  --split-seed N             seed of the split, i.e. the 'fedsynth train --seed' (default: 1)

Synthetic records:
  --synthetic PATH           generated records (S)
  --synthetic-format mimic|long|wide
                             layout of --synthetic (default: --format). 'fedsynth sample' writes
                             long (or wide with --layout wide), so real MIMIC-III data is compared
                             with sampled records by --format mimic --synthetic-format long

Layout:
  --format mimic|long|wide   layout of the real records (default: mimic; a folder, else a CSV file)
  --unit patient|admission   one record per patient (default) or per admission (mimic only)
  --rollup                   roll ICD-9 codes up to 3-character categories (E-codes: 4), in
                             every input (codes already rolled up are unchanged)
  --record-column NAME       long/wide inputs, real or synthetic: the record id column (default: patient)
  --code-column NAME         long inputs: the code column (default: code)
  --min-count K              keep training codes held by at least K records (default: 1)
  --vocabulary FILE          use this vocabulary for all inputs instead of the training codes

Report:
  --out DIR                  output folder (created if missing)
  --seed N                   seeds every subsample, baseline and classifier (default: 1)
  --membership-threshold D   membership claimed within Hamming distance D (default: 5)
  --prediction-codes N       predict the N most common codes (default: 30)
  --mixture-components K     components of the Bernoulli-mixture baseline (default: 40)
  --skip-baselines           skip the independent-marginals and mixture baselines (faster)
  --title TEXT               heading of report.html

Examples:
  fedsynth evaluate --train data/site-1 --holdout data/holdout --synthetic out/samples --out out/report
  fedsynth evaluate --format long --train x.csv --holdout h.csv --synthetic s.csv --out report
  fedsynth train --input data/mimic-iii-demo --rollup --holdout-fraction 0.2 --out out/demo-model
  fedsynth sample --model out/demo-model --n 1000 --out out/synthetic.csv
  fedsynth evaluate --input data/mimic-iii-demo --format mimic --rollup --holdout-fraction 0.2 \\
    --synthetic out/synthetic.csv --synthetic-format long --out out/report
`;

function requiredPath(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (!value) throw new FedsynthError(`--${name} is required`, 'CLI_MISSING_OPTION');
  return path.resolve(value);
}

const count = (n: number) => n.toLocaleString('en-US');

/** Where each input came from and what reading it dropped; report.json keeps this beside the metrics. */
interface Sources {
  format: string;
  syntheticFormat: string;
  /** With --input: how it was split into train and holdout; null for --train/--holdout. */
  split: { holdoutFraction: number; seed: number } | null;
  unit: string;
  rollup: boolean;
  vocabularyHash: string;
  train: { path: string; records: number };
  holdout: { path: string; records: number; droppedCodes: number };
  synthetic: { path: string; records: number; droppedCodes: number };
}

function describeDrops(sources: Sources): string[] {
  return (['holdout', 'synthetic'] as const)
    .filter((name) => sources[name].droppedCodes > 0)
    .map((name) => `${name}: ${count(sources[name].droppedCodes)} code occurrence(s) outside the training vocabulary were dropped`);
}

/** The real records: X and H from two inputs, or from one input split as 'fedsynth train' splits it. */
interface RealData {
  options: ReadOptions;
  train: Dataset;
  holdout: Dataset;
  trainPath: string;
  holdoutPath: string;
  split: Sources['split'];
}

function fractionOption(values: OptionValues, name: string, fallback: number): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !(value > 0 && value < 1)) {
    throw new FedsynthError(`--${name} must be a number between 0 and 1 (exclusive), got '${raw}'`, 'CLI_BAD_OPTION');
  }
  return value;
}

async function readRealData(values: OptionValues): Promise<RealData> {
  const input = stringOption(values, 'input');
  if (input === undefined) {
    for (const name of ['holdout-fraction', 'split-seed']) {
      if (values[name] !== undefined) throw new FedsynthError(`--${name} applies only with --input (one data set split here)`, 'CLI_BAD_OPTION');
    }
    const trainPath = requiredPath(values, 'train');
    const holdoutPath = requiredPath(values, 'holdout');
    const options = await readOptionsFrom({ ...values, input: trainPath });
    const train = await readDataset(options);
    // Held-out records must land in the training columns, whatever codes they hold.
    const holdout = await readDataset({ ...options, input: holdoutPath, vocabulary: train.vocabulary });
    return { options, train, holdout, trainPath, holdoutPath, split: null };
  }
  if (values.train !== undefined || values.holdout !== undefined) {
    throw new FedsynthError('give either --input (split here into train and holdout) or --train and --holdout, not both', 'CLI_BAD_OPTION');
  }
  const holdoutFraction = fractionOption(values, 'holdout-fraction', 0.2);
  const seed = integerOption(values, 'split-seed', 1, 0, 0xffffffff);
  const options = await readOptionsFrom(values);
  // The vocabulary of the whole input, then the split: what 'fedsynth train' does.
  const { train, holdout } = splitTrainHoldout(await readDataset(options), { holdoutFraction, seed });
  return { options, train, holdout, trainPath: options.input, holdoutPath: options.input, split: { holdoutFraction, seed } };
}

/**
 * How the synthetic records are read: in their own layout (default: the real one), against
 * the training vocabulary. A CSV has no admissions, so --unit applies to MIMIC-III input only.
 */
async function syntheticReadOptions(values: OptionValues, real: ReadOptions, input: string, vocabulary: Dataset['vocabulary']): Promise<ReadOptions> {
  const given = stringOption(values, 'synthetic-format');
  const format = (given ?? real.format) as DataFormat;
  if (!DATA_FORMATS.includes(format)) {
    throw new FedsynthError(`--synthetic-format must be one of ${DATA_FORMATS.join(', ')}, got '${format}'`, 'CLI_BAD_OPTION');
  }
  if (format === 'mimic' && (await stat(input).catch(() => undefined))?.isFile()) {
    throw new FedsynthError(
      `--synthetic ${input} is a file, but is read as a MIMIC-III folder${given === undefined ? ' (--synthetic-format defaults to --format, mimic)' : ''}; ` +
        "'fedsynth sample' writes a long CSV: add --synthetic-format long (wide for --layout wide)",
      'CLI_BAD_OPTION',
    );
  }
  const { unit: _unit, ...shared } = real;
  return { ...shared, ...(format === 'mimic' && real.unit ? { unit: real.unit } : {}), format, input, vocabulary };
}

function stageLogger(io: Io): (stage: string, set: string, ms: number) => void {
  return (stage, set, ms) => io.err(`evaluate: ${stage} ${set} ${(ms / 1000).toFixed(1)} s\n`);
}

export const evaluateCommand: Command = {
  path: ['evaluate'],
  summary: 'Score synthetic records for fidelity, utility and privacy against baselines',
  help: HELP,
  options: {
    ...DATA_INPUT_OPTIONS,
    train: { type: 'string' },
    holdout: { type: 'string' },
    'holdout-fraction': { type: 'string' },
    'split-seed': { type: 'string' },
    synthetic: { type: 'string' },
    'synthetic-format': { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    'membership-threshold': { type: 'string' },
    'prediction-codes': { type: 'string' },
    'mixture-components': { type: 'string' },
    'skip-baselines': { type: 'boolean' },
    title: { type: 'string' },
  },
  async run(values, _positionals, io) {
    if (values.input === undefined) {
      requiredPath(values, 'train');
      requiredPath(values, 'holdout');
    }
    const syntheticPath = requiredPath(values, 'synthetic');
    const out = requiredPath(values, 'out');
    const seed = integerOption(values, 'seed', 1, 0, 2 ** 32 - 1);
    const membershipThreshold = integerOption(values, 'membership-threshold', 5, 0, 10_000);
    const predictionCodes = integerOption(values, 'prediction-codes', 30, 1, 1_000);
    const mixtureComponents = integerOption(values, 'mixture-components', 40, 1, 1_000);

    const { options: trainOptions, train, holdout, trainPath, holdoutPath, split } = await readRealData(values);
    // Synthetic records must land in the training columns too, whatever codes they hold.
    const syntheticOptions = await syntheticReadOptions(values, trainOptions, syntheticPath, train.vocabulary);
    const synthetic = await readDataset(syntheticOptions);
    const sources: Sources = {
      format: trainOptions.format,
      syntheticFormat: syntheticOptions.format,
      split,
      unit: trainOptions.unit ?? 'patient',
      rollup: trainOptions.rollup ?? false,
      vocabularyHash: train.vocabulary.hash,
      train: { path: trainPath, records: train.matrix.rows },
      holdout: { path: holdoutPath, records: holdout.matrix.rows, droppedCodes: holdout.stats.droppedCodes },
      synthetic: { path: syntheticPath, records: synthetic.matrix.rows, droppedCodes: synthetic.stats.droppedCodes },
    };

    const started = performance.now();
    const report: QualityReport = evaluateQuality(
      { train: train.matrix, holdout: holdout.matrix, synthetic: synthetic.matrix },
      {
        seed,
        membershipThreshold,
        predictionCodes,
        baselines: values['skip-baselines'] !== true,
        mixture: { components: mixtureComponents },
        codeLabels: train.vocabulary.codes,
      },
      { onStage: stageLogger(io) },
    );
    const seconds = (performance.now() - started) / 1000;

    await mkdir(out, { recursive: true });
    const jsonPath = path.join(out, 'report.json');
    const htmlPath = path.join(out, 'report.html');
    const drops = describeDrops(sources);
    const { schema, ...metrics } = report;
    await writeFile(jsonPath, JSON.stringify({ schema, sources, ...metrics }, null, 2) + '\n');
    const real = split
      ? `Real records ${trainPath} split into training and held-out (${split.holdoutFraction} held out, seed ${split.seed})`
      : `Training ${trainPath}, held-out ${holdoutPath}`;
    const layouts = sources.syntheticFormat === sources.format ? `format ${sources.format}` : `format ${sources.format}, synthetic ${sources.syntheticFormat}`;
    const notes = [
      `${real}, synthetic ${syntheticPath} (${layouts}, one record per ${sources.unit}${sources.rollup ? ', 3-character categories' : ''}).`,
      ...drops,
    ];
    await writeFile(htmlPath, renderQualityReportHtml(report, { title: stringOption(values, 'title'), notes }));

    const lines = [
      `Evaluated ${count(synthetic.matrix.rows)} synthetic records against ${count(train.matrix.rows)} training and ${count(holdout.matrix.rows)} held-out records over ${count(train.matrix.cols)} codes in ${seconds.toFixed(1)} s`,
      report.verdicts.fidelity.text,
      report.verdicts.utility.text,
      report.verdicts.privacy.text,
      ...drops.map((d) => `Note: ${d}`),
      `Report: ${htmlPath}`,
      `Data:   ${jsonPath}`,
    ];
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};
