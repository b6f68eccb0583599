import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  evaluatePrevalence,
  exportModel,
  FedsynthError,
  DEFAULT_GENERATOR_AVERAGE_DECAY,
  GeneratorAverage,
  recalibrateBatchNorm,
  initBackend,
  isModelFamily,
  privacyProvenance,
  MANIFEST_FILE,
  MODEL_FAMILIES,
  modelSampler,
  readDataset,
  splitTrainHoldout,
  train,
  type Dataset,
  type ModelFamily,
  type PrevalenceQuality,
  type PrivacySpent,
  type TrainLog,
  type TrainingProvenance,
  type TrainSummary,
} from '@fedsynth/gan';
import type { Command, Io, OptionValues } from '../command';
import { DATA_INPUT_HELP, DATA_INPUT_OPTIONS, integerOption, readOptionsFrom, stringOption } from './data-options';
import { DP_TRAIN_HELP, DP_TRAIN_OPTIONS, dpOptionsFrom } from './train-dp-options';

const DEFAULTS = { model: 'medgan' as ModelFamily, epochs: 100, pretrainEpochs: 100, batchSize: 256, seed: 1, average: DEFAULT_GENERATOR_AVERAGE_DECAY };

const HELP = `Usage: fedsynth train --input PATH --out MODEL_DIR [options]

Trains a GAN for synthetic diagnosis records on one machine (centralised training) and
exports it: MODEL_DIR/model.json + weights.bin (a standard TensorFlow.js LayersModel mapping
noise to code probabilities), state.bin (every weight, to resume) and fedsynth.json
(vocabulary, family, options, training provenance, metrics). Progress and an ETA go to
stderr; Ctrl-C stops after the current step and still exports what was learned.

${DATA_INPUT_HELP}

Model and training:
  --model seed|medgan|wgan-gp   model family (default: ${DEFAULTS.model})
                               seed:    the original notebook's small networks (baseline)
                               medgan:  autoencoder + residual generator + minibatch averaging
                               wgan-gp: medGAN's generator with a WGAN-GP critic (medWGAN)
  --epochs N                 adversarial epochs (default: ${DEFAULTS.epochs})
  --pretrain-epochs N        autoencoder pre-training epochs, medgan/wgan-gp (default: ${DEFAULTS.pretrainEpochs})
  --batch-size N             records per batch (default: ${DEFAULTS.batchSize})
  --seed N                   seeds the weights, batch order and noise (default: ${DEFAULTS.seed})
  --average DECAY            sample from an exponential moving average of the generator's
                             weights with this decay, 0 to export the last weights (default:
                             ${DEFAULTS.average} for medgan and wgan-gp, 0 for seed, the baseline).
                             It steadies what adversarial training leaves oscillating: r 0.99
                             after 10 GAN epochs where the raw weights reach 0.96 (libs/gan README)
  --holdout-fraction F       hold out this share of records and report how well synthetic
                             code prevalences match them (Pearson r, RMSE) (default: none)
  --out MODEL_DIR            folder to export to (required)
  --force                    overwrite an earlier export in MODEL_DIR

${DP_TRAIN_HELP}

Environment:
  FEDSYNTH_BACKEND           tensorflow | wasm | cpu (default: the fastest that starts)

Examples:
  fedsynth train --input data/mimic-iii-demo --model medgan --epochs 50 --out models/demo
  fedsynth train --format long --input cohort.csv --model wgan-gp --epochs 200 --holdout-fraction 0.1 --out models/wgan
  fedsynth train --input data/mimic-iii-demo --epochs 20 --dp-clip-norm 1 --dp-noise-multiplier 1.1 --dp-sample-rate 0.01 --out models/dp
`;

function fractionOption(values: OptionValues, name: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !(value > 0 && value < 1)) {
    throw new FedsynthError(`--${name} must be a number between 0 and 1 (exclusive), got '${raw}'`, 'CLI_BAD_OPTION');
  }
  return value;
}

/** --average: a decay in [0, 1); 0 turns the moving average off. */
function averageOption(values: OptionValues, family: ModelFamily): number {
  const raw = stringOption(values, 'average');
  if (raw === undefined) return family === 'seed' ? 0 : DEFAULTS.average;
  const value = Number(raw);
  if (raw.trim() === '' || !(value >= 0 && value < 1)) {
    throw new FedsynthError(`--average must be a decay in [0, 1) (0 turns it off), got '${raw}'`, 'CLI_BAD_OPTION');
  }
  return value;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const num = (n: number, digits: number) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function epsilonText(privacy: PrivacySpent | undefined): string {
  if (!privacy) return '';
  return `  ε ${Number.isFinite(privacy.epsilon) ? num(privacy.epsilon, 3) : '∞'} (δ ${privacy.delta})`;
}

function lossText(log: TrainLog): string {
  return log.phase === 'autoencoder'
    ? `ae ${num(log.losses.ae, 3)}${log.losses.valAe !== undefined ? ` val ${num(log.losses.valAe, 3)}` : ''}`
    : `d ${num(log.losses.d, 3)} g ${num(log.losses.g, 3)}`;
}

/**
 * The progress bar: on a terminal one line redrawn in place after every step; otherwise a
 * line per epoch, so logs stay readable. The ETA covers the current phase: an autoencoder
 * step costs a fraction of a GAN step, so one rate cannot predict both.
 */
function progressReporter(io: Io): (log: TrainLog) => void {
  const phaseStart = new Map<string, { ms: number; step: number }>();
  return (log) => {
    const start = phaseStart.get(log.phase) ?? { ms: log.elapsedMs, step: log.step - 1 };
    if (!phaseStart.has(log.phase)) phaseStart.set(log.phase, start);
    const total = log.epochs * log.stepsPerEpoch;
    const done = Math.min(log.step, total);
    const msPerStep = (log.elapsedMs - start.ms) / Math.max(1, done - start.step);
    const eta = duration((total - done) * msPerStep);
    const label = log.phase === 'autoencoder' ? 'autoencoder' : 'gan';
    const text = `${label} epoch ${log.epoch}/${log.epochs}  ${lossText(log)}  ${num(log.recordsPerSec, 0)} rec/s${epsilonText(log.privacy)}  ETA ${eta}`;
    if (io.interactive) {
      const width = 24;
      const filled = Math.round((width * done) / Math.max(1, total));
      io.err(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${text}\x1b[K${log.kind === 'epoch' && log.epoch === log.epochs ? '\n' : ''}`);
    } else if (log.kind === 'epoch') {
      io.err(`train: ${text}  (elapsed ${duration(log.elapsedMs)})\n`);
    }
  };
}

interface TrainingData {
  train: Dataset;
  holdout?: Dataset;
}

function splitData(ds: Dataset, holdoutFraction: number | undefined, seed: number): TrainingData {
  if (holdoutFraction === undefined) return { train: ds };
  return splitTrainHoldout(ds, { holdoutFraction, seed });
}

function summaryText(outDir: string, family: ModelFamily, summary: TrainSummary, quality: PrevalenceQuality | undefined): string {
  const losses = Object.entries(summary.lastLosses)
    .filter((e): e is [string, number] => e[1] !== undefined)
    .map(([k, v]) => `${k} ${num(v, 4)}`)
    .join(', ');
  const lines = [
    `${summary.stopped ? 'Stopped early' : 'Trained'} ${family}: ${summary.autoencoderEpochs} autoencoder + ${summary.ganEpochs} GAN epochs ` +
      `(${summary.ganSteps} GAN steps) in ${duration(summary.wallMs)}; last losses: ${losses || 'none'}`,
  ];
  if (summary.privacy) {
    const p = summary.privacy;
    lines.push(
      `Differential privacy (DP-SGD): ε ${Number.isFinite(p.epsilon) ? num(p.epsilon, 3) : '∞'} at δ ${p.delta} over ${p.steps.autoencoder} autoencoder + ` +
        `${p.steps.discriminator} discriminator steps (q ${p.sampleRate}, σ ${p.noiseMultiplier}, C ${p.clipNorm})`,
    );
  }
  if (quality) {
    lines.push(
      `Held-out check (${quality.realRecords} real vs ${quality.syntheticRecords} synthetic records): prevalence r ${num(quality.pearson, 4)}, ` +
        `RMSE ${num(quality.rmse, 5)}, codes generated ${num(100 * quality.codesGenerated, 1)}%, codes per record ${num(quality.meanCodesSynthetic, 2)} (real ${num(quality.meanCodesReal, 2)})`,
    );
  }
  lines.push(`Exported to ${outDir}: model.json + weights.bin (sampler), state.bin, ${MANIFEST_FILE}`, `Sample it:  fedsynth sample --model ${outDir} --n 10000 --out synthetic.csv`, '');
  return lines.join('\n');
}

export const trainCommand: Command = {
  path: ['train'],
  summary: 'Train a GAN on one machine and export it (model.json + fedsynth.json)',
  help: HELP,
  options: {
    ...DATA_INPUT_OPTIONS,
    ...DP_TRAIN_OPTIONS,
    model: { type: 'string' },
    epochs: { type: 'string' },
    'pretrain-epochs': { type: 'string' },
    'batch-size': { type: 'string' },
    seed: { type: 'string' },
    'holdout-fraction': { type: 'string' },
    average: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const family = stringOption(values, 'model') ?? DEFAULTS.model;
    if (!isModelFamily(family)) throw new FedsynthError(`--model must be one of ${MODEL_FAMILIES.join(', ')}, got '${family}'`, 'CLI_BAD_OPTION');
    const outRaw = stringOption(values, 'out');
    if (!outRaw) throw new FedsynthError('--out is required (the folder to export the model to)', 'CLI_MISSING_OPTION');
    const outDir = path.resolve(outRaw);
    if (existsSync(path.join(outDir, MANIFEST_FILE)) && values.force !== true) {
      throw new FedsynthError(`${outDir} already holds an exported model; pass --force to overwrite it`, 'CLI_OUTPUT_EXISTS');
    }
    const epochs = integerOption(values, 'epochs', DEFAULTS.epochs, 0, 1_000_000);
    const pretrainEpochs = integerOption(values, 'pretrain-epochs', DEFAULTS.pretrainEpochs, 0, 1_000_000);
    const batchSize = integerOption(values, 'batch-size', DEFAULTS.batchSize, 1, 1_000_000);
    const seed = integerOption(values, 'seed', DEFAULTS.seed, 0, 0xffffffff);
    const holdoutFraction = fractionOption(values, 'holdout-fraction');
    const average = averageOption(values, family);
    const dp = dpOptionsFrom(values);
    const readOptions = await readOptionsFrom(values);

    const ds = await readDataset(readOptions);
    const data = splitData(ds, holdoutFraction, seed);
    const backend = await initBackend({ log: (line) => io.err(`${line}\n`) });
    // Under DP the batch is a Poisson sample of expected size q × records.
    const batchText = dp ? `DP-SGD (q ${dp.sampleRate}, σ ${dp.noiseMultiplier}, C ${dp.clipNorm}; batches of ~${num(dp.sampleRate * data.train.matrix.rows, 0)})` : `batch ${batchSize}`;
    io.err(
      `train: ${family} on ${num(data.train.matrix.rows, 0)} records × ${num(ds.matrix.cols, 0)} codes` +
        `${data.holdout ? ` (${num(data.holdout.matrix.rows, 0)} held out)` : ''}, ${batchText}, seed ${seed}\n`,
    );

    const controller = new AbortController();
    const onSigint = () => {
      io.err('\ntrain: stopping after this step (Ctrl-C again to abort without exporting)\n');
      controller.abort();
      process.removeListener('SIGINT', onSigint);
    };
    process.on('SIGINT', onSigint);
    const startedAt = new Date();
    const run = train(family, data.train.matrix, { epochs, pretrainEpochs, ...(dp ? { dp } : { batchSize }), seed, signal: controller.signal });
    const generatorAverage = average > 0 ? new GeneratorAverage(run.model, average) : undefined;
    try {
      const report = progressReporter(io);
      let result = await run.next();
      while (!result.done) {
        if (generatorAverage && result.value.kind === 'step' && result.value.phase === 'gan') generatorAverage.update();
        report(result.value);
        result = await run.next();
      }
      const summary = result.value;
      // Only after a GAN step is there an average to keep (an autoencoder-only run has none).
      const averaged = generatorAverage !== undefined && summary.ganSteps > 0;
      if (averaged) {
        generatorAverage.commit();
        // The moving batch-norm statistics belong to the last trained weights, not to the average.
        recalibrateBatchNorm(run.model, { seed });
      }
      if (io.interactive) io.err('\n');
      const quality = data.holdout ? evaluatePrevalence(modelSampler(run.model), data.holdout.matrix, { seed }) : undefined;
      const training: TrainingProvenance = {
        input: {
          path: readOptions.input,
          format: readOptions.format,
          ...(readOptions.unit ? { unit: readOptions.unit } : {}),
          rollup: readOptions.rollup ?? false,
        },
        records: ds.matrix.rows,
        trainRecords: data.train.matrix.rows,
        ...(data.holdout ? { holdoutRecords: data.holdout.matrix.rows } : {}),
        epochs,
        pretrainEpochs: family === 'seed' ? 0 : pretrainEpochs,
        batchSize: dp ? Math.max(1, Math.round(dp.sampleRate * data.train.matrix.rows)) : batchSize,
        seed,
        backend: backend.name,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        wallSeconds: summary.wallMs / 1000,
        stopped: summary.stopped,
        autoencoderSteps: summary.autoencoderSteps,
        ganSteps: summary.ganSteps,
        lastLosses: summary.lastLosses,
        ...(averaged ? { generatorAverage: average } : {}),
        ...(summary.privacy ? { privacy: privacyProvenance(summary.privacy) } : {}),
      };
      await exportModel(run.model, outDir, {
        vocabulary: ds.vocabulary,
        training,
        ...(quality ? { metrics: { heldOutPrevalence: quality } } : {}),
      });
      io.out(summaryText(outDir, family, summary, quality));
      return 0;
    } finally {
      process.removeListener('SIGINT', onSigint);
      generatorAverage?.dispose();
      run.model.dispose();
    }
  },
};
