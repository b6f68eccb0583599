/**
 * The quality experiment behind the README's model table: simulate a one-site cohort, train
 * each family centrally, and compare the code prevalences of synthetic records with those of
 * held-out real records (dimension-wise probability, Choi et al. 2017).
 *
 *   node libs/gan/dist/model/bench/quality.experiment.js --out /tmp/fedsynth-quality \
 *       [--patients 22000] [--holdout 2000] [--codes 1071] [--families seed,medgan,wgan-gp] \
 *       [--epochs seed=40,medgan=60,wgan-gp=60] [--pretrain-epochs 40] [--batch 256] \
 *       [--synthetic 20000] [--eval-every 10] [--seed 1] [--adam medgan=0.001:0.5:0.9,…]
 *       [--average 0.998]
 *
 * --adam overrides a family's GAN-phase Adam as learningRate:beta1:beta2 (the options the
 * README's table was tuned with are the families' defaults, so it is only for trials).
 * --average samples from an exponential moving average of the generator's weights (decay;
 * 0 = the raw weights), as `fedsynth train` does by default.
 *
 * Writes OUT/cohort (the simulated MIMIC-layout folders), OUT/models/<family> (exports) and
 * OUT/results.json, and prints a Markdown table. Long: run it in the background and poll.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend } from '../../backend/select-backend';
import type { BinaryMatrix } from '../../data/binary-matrix';
import { readDataset } from '../../data/readers/read-dataset';
import { simulateCohort } from '../../data/simulate/simulate-cohort';
import { vocabularyFromDictionary } from '../../data/vocabulary-file';
import { exportModel } from '../export-model';
import { MODEL_FAMILIES, isModelFamily, type AdamSettings, type ModelFamily } from '../model-options';
import { prevalenceQuality, evaluatePrevalence, type PrevalenceQuality } from '../prevalence-quality';
import { GeneratorAverage } from '../generator-average';
import { modelSampler } from '../sampler';
import { train } from '../train';

interface FamilyResult {
  family: ModelFamily;
  pretrainEpochs: number;
  epochs: number;
  wallSeconds: number;
  quality: PrevalenceQuality;
  /** r against the held-out records during training, every --eval-every epochs. */
  curve: { epoch: number; pearson: number; rmse: number }[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function parseAdam(text: string): Partial<Record<ModelFamily, AdamSettings>> {
  const out: Partial<Record<ModelFamily, AdamSettings>> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [name, value = ''] = part.split('=');
    const numbers = value.split(':').map(Number);
    if (!isModelFamily(name) || numbers.length !== 3 || !numbers.every((n) => n > 0 && n < 1)) {
      throw new Error(`--adam takes family=learningRate:beta1:beta2 pairs, got '${part}'`);
    }
    out[name] = { learningRate: numbers[0], beta1: numbers[1], beta2: numbers[2] };
  }
  return out;
}

function parseEpochs(text: string, families: readonly ModelFamily[]): Record<ModelFamily, number> {
  const out: Record<ModelFamily, number> = { seed: 40, medgan: 60, 'wgan-gp': 60 };
  for (const part of text.split(',').filter(Boolean)) {
    const [name, value] = part.split('=');
    if (!isModelFamily(name) || !/^\d+$/.test(value ?? '')) throw new Error(`--epochs takes family=N pairs, got '${part}'`);
    out[name] = Number(value);
  }
  for (const f of families) if (!(out[f] >= 0)) throw new Error(`no epochs for ${f}`);
  return out;
}

async function trainFamily(family: ModelFamily, trainMatrix: BinaryMatrix, holdout: BinaryMatrix, settings: { epochs: number; pretrainEpochs: number; batch: number; seed: number; synthetic: number; evalEvery: number; adam?: AdamSettings; average: number }, outDir: string, vocabulary: Parameters<typeof exportModel>[2]['vocabulary']): Promise<FamilyResult> {
  const pretrainEpochs = family === 'seed' ? 0 : settings.pretrainEpochs;
  const run = train(family, trainMatrix, {
    epochs: settings.epochs,
    pretrainEpochs,
    batchSize: settings.batch,
    seed: settings.seed,
    ...(settings.adam ? { model: { adam: settings.adam } } : {}),
  });
  const curve: FamilyResult['curve'] = [];
  const average = settings.average > 0 ? new GeneratorAverage(run.model, settings.average) : undefined;
  const onAverage = <T>(fn: () => T): Promise<T> => (average ? average.withAverage(fn) : Promise.resolve(fn()));
  const started = performance.now();
  let evalMs = 0;
  try {
    for await (const entry of run) {
      if (entry.kind === 'step' && entry.phase === 'gan') average?.update();
      if (entry.kind !== 'epoch') continue;
      const losses = Object.entries(entry.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ');
      let extra = '';
      if (entry.phase === 'gan' && settings.evalEvery > 0 && (entry.epoch % settings.evalEvery === 0 || entry.epoch === entry.epochs)) {
        const t0 = performance.now();
        const q = await onAverage(() => evaluatePrevalence(modelSampler(run.model), holdout, { count: 5000, seed: settings.seed + entry.epoch }));
        evalMs += performance.now() - t0;
        curve.push({ epoch: entry.epoch, pearson: q.pearson, rmse: q.rmse });
        extra = `  r ${q.pearson.toFixed(4)} rmse ${q.rmse.toFixed(5)} (5,000 samples)`;
      }
      log(`${family} ${entry.phase} epoch ${entry.epoch}/${entry.epochs}  ${losses}  ${Math.round(entry.recordsPerSec)} rec/s  ${(entry.elapsedMs / 1000).toFixed(0)} s${extra}`);
    }
    // Wall time of training alone: the periodic evaluations are excluded.
    const wallSeconds = (performance.now() - started - evalMs) / 1000;
    average?.commit();
    const quality = evaluatePrevalence(modelSampler(run.model), holdout, { count: settings.synthetic, seed: settings.seed });
    await exportModel(run.model, join(outDir, 'models', family), { vocabulary, metrics: { heldOutPrevalence: quality } });
    return { family, pretrainEpochs, epochs: settings.epochs, wallSeconds, quality, curve };
  } finally {
    average?.dispose();
    run.model.dispose();
  }
}

function table(results: FamilyResult[], reference: PrevalenceQuality): string {
  const rows = results.map((r) => {
    const q = r.quality;
    const epochs = r.pretrainEpochs > 0 ? `${r.pretrainEpochs} AE + ${r.epochs} GAN` : `${r.epochs} GAN`;
    const wall = r.wallSeconds >= 120 ? `${(r.wallSeconds / 60).toFixed(1)} min` : `${r.wallSeconds.toFixed(0)} s`;
    return `| ${r.family} | ${epochs} | ${wall} | ${q.pearson.toFixed(4)} | ${q.rmse.toFixed(5)} | ${(100 * q.codesGenerated).toFixed(1)}% |`;
  });
  return [
    '| family | epochs | wall time | Pearson r | RMSE | codes generated |',
    '|---|---|---|---|---|---|',
    ...rows,
    `| (training records themselves) | – | – | ${reference.pearson.toFixed(4)} | ${reference.rmse.toFixed(5)} | ${(100 * reference.codesGenerated).toFixed(1)}% |`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/fedsynth-quality' },
      patients: { type: 'string', default: '22000' },
      holdout: { type: 'string', default: '2000' },
      codes: { type: 'string', default: '1071' },
      families: { type: 'string', default: MODEL_FAMILIES.join(',') },
      epochs: { type: 'string', default: '' },
      'pretrain-epochs': { type: 'string', default: '40' },
      batch: { type: 'string', default: '256' },
      synthetic: { type: 'string', default: '20000' },
      'eval-every': { type: 'string', default: '10' },
      seed: { type: 'string', default: '1' },
      adam: { type: 'string', default: '' },
      average: { type: 'string', default: '0' },
    },
  });
  const families = values.families.split(',').map((f) => {
    if (!isModelFamily(f)) throw new Error(`unknown family '${f}'`);
    return f;
  });
  const epochs = parseEpochs(values.epochs, families);
  const adam = parseAdam(values.adam);
  const patients = Number(values.patients);
  const holdoutPatients = Number(values.holdout);
  const seed = Number(values.seed);
  const outDir = values.out;
  const started = performance.now();

  const backend = await initBackend({ log });
  const cohortDir = join(outDir, 'cohort');
  log(`simulating ${patients} patients × ${values.codes} codes (1 site, ${holdoutPatients} held out) into ${cohortDir}`);
  await simulateCohort({ outDir: cohortDir, patients, codes: Number(values.codes), sites: 1, holdoutFraction: holdoutPatients / patients, seed, overwrite: true });
  // Both parts on the dictionary's vocabulary, so the columns match whatever codes each holds.
  const vocabulary = await vocabularyFromDictionary(join(cohortDir, 'site-1', 'D_ICD_DIAGNOSES.csv'));
  const trainSet = await readDataset({ format: 'mimic', input: join(cohortDir, 'site-1'), vocabulary });
  const holdoutSet = await readDataset({ format: 'mimic', input: join(cohortDir, 'holdout'), vocabulary });
  log(`training records ${trainSet.matrix.rows}, held-out records ${holdoutSet.matrix.rows}, vocabulary ${vocabulary.codes.length} codes`);
  // The ceiling: how well the training records themselves match the held-out ones.
  const reference = prevalenceQuality(holdoutSet.matrix, trainSet.matrix);
  log(`reference (training vs held-out records): r ${reference.pearson.toFixed(4)}, rmse ${reference.rmse.toFixed(5)}`);

  const results: FamilyResult[] = [];
  for (const family of families) {
    const settings = { epochs: epochs[family], pretrainEpochs: Number(values['pretrain-epochs']), batch: Number(values.batch), seed, synthetic: Number(values.synthetic), evalEvery: Number(values['eval-every']), ...(adam[family] ? { adam: adam[family] } : {}), average: Number(values.average) };
    results.push(await trainFamily(family, trainSet.matrix, holdoutSet.matrix, settings, outDir, vocabulary));
    const q = results[results.length - 1].quality;
    log(`${family}: r ${q.pearson.toFixed(4)}, rmse ${q.rmse.toFixed(5)}, codes generated ${(100 * q.codesGenerated).toFixed(1)}%, codes/record ${q.meanCodesSynthetic.toFixed(2)} (real ${q.meanCodesReal.toFixed(2)})`);
  }
  const command = `node libs/gan/dist/model/bench/quality.experiment.js ${process.argv.slice(2).join(' ')}`.trim();
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'results.json'), JSON.stringify({ command, backend, patients, holdoutPatients, reference, results }, null, 2) + '\n');
  log('');
  log(table(results, reference));
  log('');
  log(`backend ${backend.name}; total ${((performance.now() - started) / 60000).toFixed(1)} min; results in ${join(outDir, 'results.json')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`quality experiment failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
