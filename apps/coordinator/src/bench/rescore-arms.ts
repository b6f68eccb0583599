/**
 * Scores the stored generators of federation.experiment runs again, without retraining:
 * another sampling (--sampling), or the fitted mix of the sites for runs made before the
 * experiment printed it.
 *
 *   node apps/coordinator/dist/bench/rescore-arms.js [--sampling round|bernoulli] [--full] DIR [DIR ...]
 *
 * DIR is an experiment's --out folder: its results.json (cohort and settings) and cohort/
 * (the sites' files), with coordinator/ (the federated run's SQLite and checkpoints) and/or
 * centralised-model/ (that arm's exported generator). The federated generator is rebuilt from
 * the checkpoints exactly as the experiment scored it (the run's average over its GAN rounds).
 * Each is sampled with the experiment's count and seed, and the experiment's sampling unless
 * --sampling says otherwise. Prints prevalence RMSE, the mix table and which mixture of the
 * sites the prevalences follow, arithmetic or geometric (mixture-kind.ts); --full also prints
 * the experiment's whole table (prediction, detection, privacy; a few minutes per arm).
 */
import { initBackend, loadSampler, modelSampler, prevalence, prevalenceQuality, SAMPLE_DRAWS, sampleRecords, type BinaryMatrix, type SampleDraw, type Sampler } from '@fedsynth/gan';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { checkRunOptions } from '../federation/run-options';
import { averagedGeneratorWeights } from '../generator/averaged-generator';
import { CoordinatorStore } from '../store/coordinator-store';
import { modelWithWeights } from './experiment-arms';
import { loadExperimentCohort, siteDataOptions, type ExperimentCohort } from './experiment-cohort';
import { experimentSampling, type ExperimentResults } from './experiment-combine';
import { gainTable, mixtureTable, type GainRow } from './gain-table';
import { mixtureKind, type MixtureKind } from './mixture-kind';
import { GeneratorScorer, type GeneratorScores } from './generator-scores';
import { siteMixture } from './site-mixture';

interface StoredExperiment {
  dir: string;
  results: ExperimentResults;
  cohort: ExperimentCohort;
}

async function loadExperiment(dir: string): Promise<StoredExperiment> {
  const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as StoredExperiment['results'];
  // What the experiment writes under these keys (see federation.experiment.ts).
  const c = results.cohort as { codeLevel: 'full' | 'category'; holdoutFraction: number };
  const settings = results.settings as { options: { vocabulary: { minCodeCount: number } } };
  const siteDirs = (await readdir(join(dir, 'cohort'), { withFileTypes: true })).filter((d) => d.isDirectory() && d.name.startsWith('site-')).map((d) => join(dir, 'cohort', d.name)).sort();
  const cohort = await loadExperimentCohort(siteDirs.map((d) => siteDataOptions(d, { codeLevel: c.codeLevel, holdoutFraction: c.holdoutFraction, splitSeed: 1, minCodeCount: settings.options.vocabulary.minCodeCount })));
  return { dir, results, cohort };
}

/** The federated run's exported generator, as a sampler for `use` (disposed after). */
async function withFederatedSampler<T>(e: StoredExperiment, use: (sampler: Sampler) => T): Promise<T> {
  const store = CoordinatorStore.open({ path: join(e.dir, 'coordinator', 'coordinator.sqlite') });
  try {
    const run = store.runs.list().find((r) => r.status === 'completed');
    if (!run?.vocabulary) throw new Error(`${e.dir}: no completed federated run in its coordinator/`);
    if (run.vocabulary.join('\n') !== e.cohort.vocabulary.codes.join('\n')) throw new Error(`${e.dir}: the run's vocabulary is not the cohort's`);
    const options = checkRunOptions(run.options);
    const gan = store.rounds.list(run.id).filter((r) => r.status === 'completed' && r.phase === 'gan');
    const weights = await averagedGeneratorWeights({ rounds: store.rounds, checkpoints: new CheckpointStore({ directory: join(e.dir, 'coordinator', 'checkpoints') }), runId: run.id, round: gan[gan.length - 1]!.round, options, vocabularySize: run.vocabulary.length });
    const model = modelWithWeights(options, run.vocabulary.length, weights);
    try {
      return use(modelSampler(model));
    } finally {
      model.dispose();
    }
  } finally {
    store.close();
  }
}

/** The centralised arm's exported generator, as a sampler for `use` (disposed after). */
async function withCentralisedSampler<T>(e: StoredExperiment, use: (sampler: Sampler) => T): Promise<T> {
  const loaded = await loadSampler(join(e.dir, 'centralised-model'));
  try {
    if (loaded.vocabulary.codes.join('\n') !== e.cohort.vocabulary.codes.join('\n')) throw new Error(`${e.dir}: the centralised model's vocabulary is not the cohort's`);
    return use(loaded.sampler);
  } finally {
    loaded.dispose();
  }
}

/** A scored arm, with which mixture of the sites its prevalences follow. */
type ScoredArm = GainRow & { kind: MixtureKind };

function rowFor(e: StoredExperiment, label: string, synthetic: BinaryMatrix, scorer: GeneratorScorer | undefined): ScoredArm {
  const { cohort } = e;
  const generated = prevalence(synthetic);
  const sites = cohort.siteTrain.map((m) => prevalence(m));
  const siteRecords = cohort.siteTrain.map((m) => m.rows);
  const kind = mixtureKind({ generated, sites, siteRecords });
  const mixture = siteMixture({ synthetic: generated, sites, siteRecords, reference: prevalence(cohort.pooledHoldout) });
  const scores: GeneratorScores = scorer ? scorer.score(synthetic, { members: cohort.pooledTrain, nonMembers: cohort.pooledHoldout }) : ({ rmse: prevalenceQuality(cohort.pooledHoldout, synthetic).rmse } as GeneratorScores);
  return { label, trainingRecords: cohort.pooledTrain.rows, wallMs: null, scores, mixture, kind };
}

async function rowsOf(dir: string, sampling: SampleDraw | undefined, full: boolean): Promise<ScoredArm[]> {
  const e = await loadExperiment(dir);
  const draw = sampling ?? (experimentSampling(e.results) as SampleDraw);
  const seed = (e.results.cohort as { seed: number }).seed;
  const scorer = full ? new GeneratorScorer(e.cohort.pooledTrain, e.cohort.pooledHoldout, seed) : undefined;
  const sample = (sampler: Sampler) => sampleRecords(sampler, { count: e.results.synthetic, seed, draw });
  const rows: ScoredArm[] = [];
  if (existsSync(join(dir, 'coordinator', 'coordinator.sqlite'))) {
    rows.push(rowFor(e, `${dir} federated (${draw})`, await withFederatedSampler(e, sample), scorer));
  }
  if (existsSync(join(dir, 'centralised-model'))) {
    rows.push(rowFor(e, `${dir} centralised (${draw})`, await withCentralisedSampler(e, sample), scorer));
  }
  if (rows.length === 0) throw new Error(`${dir}: neither coordinator/ (a federated run) nor centralised-model/ is stored there`);
  return rows;
}

async function main(): Promise<void> {
  const { values, positionals: dirs } = parseArgs({ options: { sampling: { type: 'string' }, full: { type: 'boolean', default: false }, help: { type: 'boolean' } }, allowPositionals: true });
  if (dirs.length === 0 || values.help) {
    process.stdout.write('usage: node apps/coordinator/dist/bench/rescore-arms.js [--sampling round|bernoulli] [--full] DIR [DIR ...]  (federation.experiment --out folders)\n');
    process.exitCode = values.help ? 0 : 1;
    return;
  }
  const sampling = values.sampling as SampleDraw | undefined;
  if (sampling !== undefined && !SAMPLE_DRAWS.includes(sampling)) throw new Error(`--sampling must be one of ${SAMPLE_DRAWS.join(', ')}, got '${sampling}'`);
  await initBackend({ log: () => undefined });
  const rows: ScoredArm[] = [];
  for (const dir of dirs) {
    const found = await rowsOf(dir, sampling, values.full);
    for (const row of found) process.stderr.write(`${row.label}: prevalence RMSE ${row.scores.rmse.toFixed(5)}\n`);
    rows.push(...found);
  }
  if (values.full) process.stdout.write(gainTable(rows) + '\n\n');
  process.stdout.write(mixtureTable(rows) + '\n\n');
  process.stdout.write(mixtureKindTable(rows) + '\n');
}

/** Which mixture of the sites each arm's prevalences follow (mixture-kind.ts). */
function mixtureKindTable(rows: readonly ScoredArm[]): string {
  const lines = ['| arm | RMSE to the arithmetic mixture | RMSE to the geometric mixture | fit: a·arithmetic + g·geometric |', '|---|---:|---:|---:|'];
  for (const { label, kind } of rows) {
    lines.push(`| ${label} | ${kind.arithmeticRmse.toFixed(5)} | ${kind.geometricRmse.toFixed(5)} | ${kind.fit.arithmetic.toFixed(3)} / ${kind.fit.geometric.toFixed(3)} |`);
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`rescore-arms failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
