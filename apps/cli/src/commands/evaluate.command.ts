import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  evaluateQuality,
  FedsynthError,
  readDataset,
  renderQualityReportHtml,
  type QualityReport,
  type ReadOptions,
} from '@fedsynth/gan';
import type { Command, Io, OptionValues } from '../command';
import { DATA_INPUT_OPTIONS, integerOption, readOptionsFrom, stringOption } from './data-options';

const HELP = `Usage: fedsynth evaluate --train PATH --holdout PATH --synthetic PATH --out DIR [options]

Judges synthetic records the way clinical data scientists do and writes DIR/report.json and a
self-contained DIR/report.html (opens offline): fidelity (prevalence, codes per record,
co-occurrence), utility (train-on-synthetic/test-on-real prediction, detection AUC) and privacy
(distance to closest record, membership and attribute inference, exact copies), each beside
baselines computed in the same run: independent marginals, a Bernoulli mixture fitted by EM, and
the held-out records where a metric allows it. Only aggregates are written, never a record.

The vocabulary is built from the training data; held-out and synthetic records are read against
it, and codes outside it are dropped and counted in the report.

Inputs (all three in the same layout):
  --train PATH               real training records (X): what the generator learnt from
  --holdout PATH             real held-out records (H): never seen by the generator
  --synthetic PATH           generated records (S)
  --format mimic|long|wide   layout (default: mimic; a folder per input, else a CSV file each)
  --unit patient|admission   one record per patient (default) or per admission (mimic only)
  --rollup                   roll ICD-9 codes up to 3-character categories (E-codes: 4)
  --record-column NAME       long/wide: the record id column (default: patient)
  --code-column NAME         long: the code column (default: code)
  --min-count K              keep training codes held by at least K records (default: 1)
  --vocabulary FILE          use this vocabulary for all three instead of the training codes

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
`;

const { input: _input, ...FORMAT_OPTIONS } = DATA_INPUT_OPTIONS;

function requiredPath(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (!value) throw new FedsynthError(`--${name} is required`, 'CLI_MISSING_OPTION');
  return path.resolve(value);
}

const count = (n: number) => n.toLocaleString('en-US');

/** Where each input came from and what reading it dropped; report.json keeps this beside the metrics. */
interface Sources {
  format: string;
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

function stageLogger(io: Io): (stage: string, set: string, ms: number) => void {
  return (stage, set, ms) => io.err(`evaluate: ${stage} ${set} ${(ms / 1000).toFixed(1)} s\n`);
}

export const evaluateCommand: Command = {
  path: ['evaluate'],
  summary: 'Score synthetic records for fidelity, utility and privacy against baselines',
  help: HELP,
  options: {
    ...FORMAT_OPTIONS,
    train: { type: 'string' },
    holdout: { type: 'string' },
    synthetic: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    'membership-threshold': { type: 'string' },
    'prediction-codes': { type: 'string' },
    'mixture-components': { type: 'string' },
    'skip-baselines': { type: 'boolean' },
    title: { type: 'string' },
  },
  async run(values, _positionals, io) {
    const trainPath = requiredPath(values, 'train');
    const holdoutPath = requiredPath(values, 'holdout');
    const syntheticPath = requiredPath(values, 'synthetic');
    const out = requiredPath(values, 'out');
    const seed = integerOption(values, 'seed', 1, 0, 2 ** 32 - 1);
    const membershipThreshold = integerOption(values, 'membership-threshold', 5, 0, 10_000);
    const predictionCodes = integerOption(values, 'prediction-codes', 30, 1, 1_000);
    const mixtureComponents = integerOption(values, 'mixture-components', 40, 1, 1_000);

    const trainOptions = await readOptionsFrom({ ...values, input: trainPath });
    const train = await readDataset(trainOptions);
    // Held-out and synthetic records must land in the training columns, whatever codes they hold.
    const against = (input: string): ReadOptions => ({ ...trainOptions, input, vocabulary: train.vocabulary });
    const holdout = await readDataset(against(holdoutPath));
    const synthetic = await readDataset(against(syntheticPath));
    const sources: Sources = {
      format: trainOptions.format,
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
    const notes = [
      `Training ${trainPath}, held-out ${holdoutPath}, synthetic ${syntheticPath} (format ${sources.format}, one record per ${sources.unit}${sources.rollup ? ', 3-character categories' : ''}).`,
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
