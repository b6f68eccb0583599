/**
 * The fitted mix of the sites in a stored federated run's exported generator: for runs of
 * `federation.experiment` made before the experiment printed it (or to look again).
 *
 *   node apps/coordinator/dist/bench/federated-mixture.js [--sampling round|bernoulli] DIR [DIR ...]
 *
 * DIR is an experiment's --out folder with a federated arm: its results.json (cohort and
 * settings), cohort/ (the sites' files) and coordinator/ (SQLite and checkpoints). The
 * generator is rebuilt from the checkpoints exactly as the experiment scored it (the run's
 * average over its GAN rounds) and sampled with the experiment's count and seed, and the
 * experiment's sampling unless --sampling says otherwise (to score a stored run both ways).
 */
import { initBackend, prevalence, prevalenceQuality, SAMPLE_DRAWS, type SampleDraw } from '@fedsynth/gan';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { checkRunOptions } from '../federation/run-options';
import { averagedGeneratorWeights } from '../generator/averaged-generator';
import { CoordinatorStore } from '../store/coordinator-store';
import { modelWithWeights, sampleSynthetic } from './experiment-arms';
import { loadExperimentCohort, siteDataOptions } from './experiment-cohort';
import type { ExperimentResults } from './experiment-combine';
import { mixtureTable, type GainRow } from './gain-table';
import { siteMixture } from './site-mixture';

async function rowOf(dir: string, sampling: SampleDraw | undefined): Promise<GainRow> {
  const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as ExperimentResults & { sampling?: SampleDraw };
  // Runs from before --sampling existed rounded.
  const draw = sampling ?? results.sampling ?? 'round';
  // What the experiment writes under these keys (see federation.experiment.ts).
  const c = results.cohort as { codeLevel: 'full' | 'category'; holdoutFraction: number; seed: number };
  const settings = results.settings as { options: { vocabulary: { minCodeCount: number } } };
  const siteDirs = (await readdir(join(dir, 'cohort'), { withFileTypes: true })).filter((d) => d.isDirectory() && d.name.startsWith('site-')).map((d) => join(dir, 'cohort', d.name)).sort();
  const cohort = await loadExperimentCohort(siteDirs.map((d) => siteDataOptions(d, { codeLevel: c.codeLevel, holdoutFraction: c.holdoutFraction, splitSeed: 1, minCodeCount: settings.options.vocabulary.minCodeCount })));
  const store = CoordinatorStore.open({ path: join(dir, 'coordinator', 'coordinator.sqlite') });
  try {
    const run = store.runs.list().find((r) => r.status === 'completed');
    if (!run?.vocabulary) throw new Error(`${dir}: no completed federated run in its coordinator/`);
    if (run.vocabulary.join('\n') !== cohort.vocabulary.codes.join('\n')) throw new Error(`${dir}: the run's vocabulary is not the cohort's`);
    const options = checkRunOptions(run.options);
    const gan = store.rounds.list(run.id).filter((r) => r.status === 'completed' && r.phase === 'gan');
    const weights = await averagedGeneratorWeights({ rounds: store.rounds, checkpoints: new CheckpointStore({ directory: join(dir, 'coordinator', 'checkpoints') }), runId: run.id, round: gan[gan.length - 1]!.round, options, vocabularySize: run.vocabulary.length });
    const model = modelWithWeights(options, run.vocabulary.length, weights);
    try {
      const synthetic = sampleSynthetic(model, results.synthetic, c.seed, draw);
      const mixture = siteMixture({ synthetic: prevalence(synthetic), sites: cohort.siteTrain.map((m) => prevalence(m)), siteRecords: cohort.siteTrain.map((m) => m.rows), reference: prevalence(cohort.pooledHoldout) });
      const rmse = prevalenceQuality(cohort.pooledHoldout, synthetic).rmse;
      return { label: `${dir} (${options.strategy.name}, ${draw})`, trainingRecords: cohort.pooledTrain.rows, wallMs: null, scores: { rmse } as GainRow['scores'], mixture };
    } finally {
      model.dispose();
    }
  } finally {
    store.close();
  }
}

async function main(): Promise<void> {
  const { values, positionals: dirs } = parseArgs({ options: { sampling: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true });
  if (dirs.length === 0 || values.help) {
    process.stdout.write('usage: node apps/coordinator/dist/bench/federated-mixture.js [--sampling round|bernoulli] DIR [DIR ...]  (federation.experiment --out folders with a federated arm)\n');
    process.exitCode = values.help ? 0 : 1;
    return;
  }
  const sampling = values.sampling as SampleDraw | undefined;
  if (sampling !== undefined && !SAMPLE_DRAWS.includes(sampling)) throw new Error(`--sampling must be one of ${SAMPLE_DRAWS.join(', ')}, got '${sampling}'`);
  await initBackend({ log: () => undefined });
  const rows: GainRow[] = [];
  for (const dir of dirs) rows.push(await rowOf(dir, sampling));
  process.stdout.write(mixtureTable(rows) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`federated-mixture failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
