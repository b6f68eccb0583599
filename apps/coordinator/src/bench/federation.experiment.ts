/**
 * `npm run experiment:federation`: the federation gain. A simulated cohort of 3 hospitals with
 * different case mixes; each site holds out 20 % of its patients and the holdouts are pooled.
 * One configuration is trained three ways, each passing every training record through the
 * same number of epochs: (a) each site alone on its own records, (b) federated through a real
 * coordinator and real site agents (FedAvg), (c) centralised on the pooled training records.
 * Every generator is scored on the pooled holdout with libs/gan's metrics.
 *
 *   node apps/coordinator/dist/bench/federation.experiment.js [--out DIR] [--patients 27500]
 *       [--codes 1071] [--code-level full|category] [--skew 0.5] [--seed 1] [--train-seed S] [--holdout 0.2]
 *       [--min-code-count 5] [--ae-rounds N] [--gan-rounds N] [--local-epochs N]
 *       [--batch-size N] [--learning-rate X] [--strategy fedavg] [--arms sites,federated,centralised]
 *       [--server-momentum B] [--server-learning-rate H] [--marginal-weight W [--marginal-target site|pooled]]
 *       [--correct-batch-means] [--minibatch-averaging on|off]
 *       [--sampling round|bernoulli]
 *       [--synthetic 10000]
 *   node apps/coordinator/dist/bench/federation.experiment.js --combine A/results.json,B/results.json --out DIR
 *
 * Arms run in the order centralised, federated, sites, and results.json is rewritten after
 * each, so a long run stopped early keeps what it measured. Runs of different arms of one
 * configuration (started side by side with --arms on a machine with cores to spare) are
 * joined into one table with --combine.
 *
 * --seed draws the cohort and, unless --train-seed is given, seeds training (initial weights,
 * batch order): another --train-seed on the same cohort is a replicate of the same comparison.
 * Rounds and training options default to the coordinator's run defaults. --sampling says how
 * every arm's generator probabilities become records (Bernoulli draws by default, or round at 0.5).
 * Writes DIR/cohort, DIR/coordinator (the federated run's SQLite and checkpoints),
 * DIR/centralised-model (that arm's exported generator) and DIR/results.json, and
 * prints a Markdown table. Long at full size: run it in the background and poll.
 */
import { DEFAULT_SAMPLE_DRAW, exportModel, initBackend, prevalence, SAMPLE_DRAWS, type BinaryMatrix, type GanModel, type SampleDraw, type TrainLog } from '@fedsynth/gan';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkRunOptions, DEFAULT_PHASES, DEFAULT_RUN_OPTIONS, type FederatedRunOptions } from '../federation/run-options';
import { armWork, describeWork, modelWithWeights, runFederatedArm, sampleSynthetic, trainWithoutFederation, type ArmSettings } from './experiment-arms';
import { loadExperimentCohort, simulateSites, siteDataOptions } from './experiment-cohort';
import { combineResults, type ExperimentResults } from './experiment-combine';
import { federationGain } from './federation-gain';
import { averageRow, gainTable, mixtureTable, type GainRow } from './gain-table';
import { GeneratorScorer } from './generator-scores';
import { siteMixture } from './site-mixture';

const ARMS = ['sites', 'federated', 'centralised'] as const;
type Arm = (typeof ARMS)[number];

/** fedavg, or fedavg with its server step (e.g. "fedavg, server momentum 0.5"). */
function strategyLabel(strategy: FederatedRunOptions['strategy']): string {
  const extra = strategy as { serverMomentum?: number; serverLearningRate?: number };
  const parts: string[] = [strategy.name];
  if (extra.serverMomentum !== undefined) parts.push(`server momentum ${extra.serverMomentum}`);
  if (extra.serverLearningRate !== undefined) parts.push(`server lr ${extra.serverLearningRate}`);
  return parts.join(', ');
}

const log = (line: string) => process.stdout.write(`${line}\n`);

function wholeNumber(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got '${raw}'`);
  return n;
}

function fraction(name: string, raw: string, lo: number, hi: number): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < lo || n > hi) throw new Error(`--${name} must be a number from ${lo} to ${hi}, got '${raw}'`);
  return n;
}

function parse() {
  const defaultAe = DEFAULT_PHASES.find((p) => p.phase === 'autoencoder')?.rounds ?? 0;
  const defaultGan = DEFAULT_PHASES.find((p) => p.phase === 'gan')?.rounds ?? 0;
  const t = DEFAULT_RUN_OPTIONS.train;
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/fedsynth-federation-experiment' },
      patients: { type: 'string', default: '27500' },
      codes: { type: 'string', default: '1071' },
      'code-level': { type: 'string', default: 'full' },
      skew: { type: 'string', default: '0.5' },
      seed: { type: 'string', default: '1' },
      'train-seed': { type: 'string' },
      holdout: { type: 'string', default: '0.2' },
      'min-code-count': { type: 'string', default: String(DEFAULT_RUN_OPTIONS.vocabulary.minCodeCount) },
      'ae-rounds': { type: 'string', default: String(defaultAe) },
      'gan-rounds': { type: 'string', default: String(defaultGan) },
      'local-epochs': { type: 'string', default: String(t.localEpochs) },
      'local-steps': { type: 'string' },
      'batch-size': { type: 'string', default: String(t.batchSize) },
      'learning-rate': { type: 'string', default: String(t.learningRate) },
      strategy: { type: 'string', default: DEFAULT_RUN_OPTIONS.strategy.name },
      'server-momentum': { type: 'string' },
      'server-learning-rate': { type: 'string' },
      'marginal-weight': { type: 'string' },
      'marginal-target': { type: 'string' },
      'correct-batch-means': { type: 'boolean', default: false },
      'minibatch-averaging': { type: 'string', default: 'on' },
      arms: { type: 'string', default: ARMS.join(',') },
      synthetic: { type: 'string', default: '10000' },
      sampling: { type: 'string', default: DEFAULT_SAMPLE_DRAW },
      'timeout-min': { type: 'string', default: '600' },
      combine: { type: 'string' },
    },
  });
  const codeLevel = values['code-level'];
  if (codeLevel !== 'full' && codeLevel !== 'category') throw new Error(`--code-level must be full or category, got '${codeLevel}'`);
  const arms = values.arms.split(',').map((a) => {
    if (!(ARMS as readonly string[]).includes(a)) throw new Error(`--arms takes a comma-separated list of ${ARMS.join(', ')}, got '${a}'`);
    return a as Arm;
  });
  const seed = wholeNumber('seed', values.seed, 0);
  if (values['marginal-target'] !== undefined && values['marginal-weight'] === undefined) throw new Error('--marginal-target needs --marginal-weight');
  if (values['correct-batch-means'] && values['marginal-target'] !== 'pooled') throw new Error('--correct-batch-means needs --marginal-target pooled');
  if (values['correct-batch-means'] && values['minibatch-averaging'] === 'off') throw new Error('--correct-batch-means corrects the minibatch-averaging path: not with --minibatch-averaging off');
  const averaging = values['minibatch-averaging'];
  if (averaging !== 'on' && averaging !== 'off') throw new Error(`--minibatch-averaging must be on or off, got '${averaging}'`);
  const sampling = values.sampling as SampleDraw;
  if (!SAMPLE_DRAWS.includes(sampling)) throw new Error(`--sampling must be one of ${SAMPLE_DRAWS.join(', ')}, got '${values.sampling}'`);
  // Checked by the coordinator's own rules, so a typo fails here rather than at run creation.
  const options = checkRunOptions({
    modelFamily: 'medgan',
    // medGAN's minibatch averaging (on by default); off, the discriminator scores each record alone in every arm.
    ...(averaging === 'off' ? { model: { minibatchAveraging: false } } : {}),
    strategy: {
      name: values.strategy,
      ...(values['server-momentum'] !== undefined ? { serverMomentum: Number(values['server-momentum']) } : {}),
      ...(values['server-learning-rate'] !== undefined ? { serverLearningRate: Number(values['server-learning-rate']) } : {}),
    } as FederatedRunOptions['strategy'],
    train: {
      localEpochs: wholeNumber('local-epochs', values['local-epochs'], 1),
      ...(values['local-steps'] !== undefined ? { localSteps: wholeNumber('local-steps', values['local-steps'], 1) } : {}),
      batchSize: wholeNumber('batch-size', values['batch-size'], 1),
      learningRate: fraction('learning-rate', values['learning-rate'], Number.MIN_VALUE, 1),
      seed: values['train-seed'] !== undefined ? wholeNumber('train-seed', values['train-seed'], 0) : seed,
    },
    vocabulary: { codeLevel, minCodeCount: wholeNumber('min-code-count', values['min-code-count'], 1) },
    // Marginal matching in every arm (exact prevalences of the records each arm trains on).
    // --marginal-target pooled: the federated sites match the pooled prevalences (the centralised arm's own).
    ...(values['marginal-weight'] !== undefined
      ? { marginals: { weight: Number(values['marginal-weight']), ...(values['marginal-target'] !== undefined ? { target: values['marginal-target'] } : {}), ...(values['correct-batch-means'] ? { correctBatchMeans: true } : {}) } }
      : {}),
  });
  const settings: ArmSettings = { options, aeRounds: wholeNumber('ae-rounds', values['ae-rounds'], 0), ganRounds: wholeNumber('gan-rounds', values['gan-rounds'], 1) };
  return {
    out: values.out,
    cohort: { patients: wholeNumber('patients', values.patients, 3), codes: wholeNumber('codes', values.codes, 2), skew: fraction('skew', values.skew, 0, 1), seed },
    holdout: fraction('holdout', values.holdout, 0.01, 0.9),
    settings,
    arms,
    synthetic: wholeNumber('synthetic', values.synthetic, 100),
    sampling,
    timeoutMs: wholeNumber('timeout-min', values['timeout-min'], 1) * 60_000,
    combine: values.combine?.split(',').filter((f) => f !== ''),
  };
}

function epochLine(label: string): (entry: TrainLog) => void {
  return (entry) => {
    if (entry.kind !== 'epoch' || (entry.epoch % 5 !== 0 && entry.epoch !== entry.epochs)) return;
    const losses = Object.entries(entry.losses).map(([k, v]) => `${k} ${(v as number).toFixed(4)}`).join(' ');
    log(`  ${label}: ${entry.phase} epoch ${entry.epoch}/${entry.epochs}  ${losses}  ${Math.round(entry.recordsPerSec)} rec/s`);
  };
}

/** --combine A.json,B.json: the rows of runs that trained different arms side by side, as one table. */
async function combine(files: readonly string[], out: string): Promise<void> {
  const runs = await Promise.all(files.map(async (file) => JSON.parse(await readFile(file, 'utf8')) as ExperimentResults));
  const { rows, gain } = combineResults(runs);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'results.json'), JSON.stringify({ ...runs[0], combinedFrom: files, rows, gain, date: new Date().toISOString() }, null, 2) + '\n');
  log(gainTable(rows));
  log(mixtureTable(rows));
  if (gain) log(`federated RMSE / centralised RMSE = ${gain.ratioToCentralised.toFixed(3)} (target ≤ 1.10: ${gain.withinTenPercent ? 'met' : 'MISSED'}); federated ${gain.federatedRmse.toFixed(5)} vs sites alone on average ${gain.averageSiteRmse.toFixed(5)} (target: lower: ${gain.beatsAverageSite ? 'met' : 'MISSED'})`);
  log(`results in ${join(out, 'results.json')}`);
}

async function main(): Promise<void> {
  const args = parse();
  if (args.combine) return combine(args.combine, args.out);
  const started = performance.now();
  const load = [loadavg()[0]];
  const backend = await initBackend({ log });
  const { settings } = args;
  const siteWork = armWork(settings);
  const codeLevel = settings.options.vocabulary.codeLevel;

  const cohortDir = join(args.out, 'cohort');
  const { siteDirs, summary } = await simulateSites({ dir: cohortDir, sites: 3, ...args.cohort });
  const dataOptions = siteDirs.map((dir) => siteDataOptions(dir, { codeLevel, holdoutFraction: args.holdout, splitSeed: 1, minCodeCount: settings.options.vocabulary.minCodeCount }));
  const cohort = await loadExperimentCohort(dataOptions);
  const siteIds = siteDirs.map((_, k) => `site-${k + 1}`);
  log(
    `cohort: ${summary.totals.patients} patients × ${summary.vocabulary.codes} codes (${summary.vocabulary.categories} categories), skew ${args.cohort.skew}; ` +
      `training records per site ${cohort.siteTrain.map((m) => m.rows).join(' / ')}, pooled holdout ${cohort.pooledHoldout.rows}; ` +
      `vocabulary ${cohort.vocabulary.codes.length} ${codeLevel === 'category' ? 'categories' : 'codes'} (union of codes held by ≥ ${settings.options.vocabulary.minCodeCount} training records at a site)`,
  );
  const { localSteps, localEpochs } = settings.options.train;
  const perRound = localSteps !== undefined ? `${localSteps} local steps (batches at each site)` : `${localEpochs} local epoch(s)`;
  const pooledWork = armWork(settings, siteIds.length);
  const perArm = localSteps !== undefined ? `${describeWork(siteWork)} per site, ${describeWork(pooledWork)} centralised` : `${describeWork(siteWork)} per arm`;
  log(`plan: ${settings.aeRounds} autoencoder + ${settings.ganRounds} GAN rounds × ${perRound} = ${perArm}; batch ${settings.options.train.batchSize}, learning rate ${settings.options.train.learningRate}, training seed ${settings.options.train.seed}, sampling ${args.sampling}, ${strategyLabel(settings.options.strategy)}${settings.options.model.minibatchAveraging === false ? ', no minibatch averaging' : ''}${settings.options.marginals ? `, marginal matching weight ${settings.options.marginals.weight} (${settings.options.marginals.target ?? 'site'} prevalences${settings.options.marginals.correctBatchMeans ? ', batch means corrected' : ''})` : ''}`);

  const scorer = new GeneratorScorer(cohort.pooledTrain, cohort.pooledHoldout, args.cohort.seed);
  const sitePrevalences = cohort.siteTrain.map((m) => prevalence(m));
  const holdoutPrevalence = prevalence(cohort.pooledHoldout);
  const score = (model: GanModel, members: BinaryMatrix, nonMembers: BinaryMatrix) => {
    const synthetic = sampleSynthetic(model, args.synthetic, args.cohort.seed, args.sampling);
    const mixture = siteMixture({ synthetic: prevalence(synthetic), sites: sitePrevalences, siteRecords: cohort.siteTrain.map((m) => m.rows), reference: holdoutPrevalence });
    return { scores: scorer.score(synthetic, { members, nonMembers }), mixture };
  };

  const siteRows: GainRow[] = [];
  let federatedRow: GainRow | undefined;
  let federated: { runId: string; roundCount: number } | undefined;
  let centralRow: GainRow | undefined;
  const done: Arm[] = [];
  let floor: GainRow | undefined;
  /** Writes what is measured so far (after every arm: a long run that stops early keeps its numbers). */
  const writeResults = async (finished: boolean) => {
    const rows: GainRow[] = [...siteRows];
    if (siteRows.length > 0) rows.push(averageRow('average of the sites alone', siteRows));
    if (federatedRow) rows.push(federatedRow);
    if (centralRow) rows.push(centralRow);
    // The floor: the real pooled training records scored as if they were synthetic (scored once).
    floor ??= { label: '(real pooled training records)', trainingRecords: cohort.pooledTrain.rows, wallMs: null, scores: scorer.score(cohort.pooledTrain, { members: cohort.pooledTrain, nonMembers: cohort.pooledHoldout }) };
    rows.push(floor);

    const gain =
      federatedRow && centralRow && siteRows.length > 0
        ? federationGain({ federatedRmse: federatedRow.scores.rmse, centralisedRmse: centralRow.scores.rmse, siteRmses: siteRows.map((r) => r.scores.rmse) })
        : undefined;
    const totalMinutes = (performance.now() - started) / 60_000;
    const command = `node apps/coordinator/dist/bench/federation.experiment.js ${process.argv.slice(2).join(' ')}`.trim();
    await mkdir(args.out, { recursive: true });
    await writeFile(
      join(args.out, 'results.json'),
      JSON.stringify(
        {
          command,
          date: new Date().toISOString(),
          backend,
          machine: { cpus: cpus().length, loadAverage1m: load },
          cohort: {
            ...args.cohort,
            holdoutFraction: args.holdout,
            codeLevel,
            vocabularySize: cohort.vocabulary.codes.length,
            siteTrainingRecords: cohort.siteTrain.map((m) => m.rows),
            siteHoldoutRecords: cohort.siteHoldout.map((m) => m.rows),
            pooledHoldoutRecords: cohort.pooledHoldout.rows,
          },
          settings: { ...settings, work: { site: siteWork, pooled: pooledWork } },
          synthetic: args.synthetic,
          sampling: args.sampling,
          federated,
          rows,
          gain,
          totalMinutes,
          finished,
          armsDone: done,
        },
        null,
        2,
      ) + '\n',
    );
    return { rows, gain, totalMinutes };
  };

  // The arm the federation's target compares with first, the sites alone last.
  if (args.arms.includes('centralised')) {
    log(`(c) centralised on the pooled ${cohort.pooledTrain.rows} training records`);
    const { model, wallMs } = await trainWithoutFederation(cohort.pooledTrain, settings, { sites: siteIds.length, onEpoch: epochLine('centralised') });
    try {
      centralRow = { label: 'centralised (pooled records)', trainingRecords: cohort.pooledTrain.rows, wallMs, ...score(model, cohort.pooledTrain, cohort.pooledHoldout) };
      // Kept so the generator can be scored again (another sampling) without retraining it.
      await exportModel(model, join(args.out, 'centralised-model'), { vocabulary: cohort.vocabulary, draw: args.sampling });
    } finally {
      model.dispose();
    }
    load.push(loadavg()[0]);
    done.push('centralised');
    await writeResults(false);
  }

  if (args.arms.includes('federated')) {
    log(`(b) federated: real coordinator + ${siteIds.length} real site agents in this process`);
    const dataDir = join(args.out, 'coordinator');
    await rm(dataDir, { recursive: true, force: true });
    const arm = await runFederatedArm({
      dataDir,
      sites: siteIds.map((siteId, k) => ({ siteId, data: dataOptions[k] })),
      settings,
      timeoutMs: args.timeoutMs,
      onRound: (round) => {
        const metrics = round.metrics ?? {};
        const losses = ['ae', 'd', 'g'].filter((k) => typeof metrics[k] === 'number').map((k) => `${k} ${(metrics[k] as number).toFixed(4)}`).join(' ');
        log(`  federated: round ${round.round} (${round.phase}) done in ${((round.completedAt! - round.startedAt) / 1000).toFixed(1)} s  ${losses}`);
      },
    });
    if (arm.vocabulary.join('\n') !== cohort.vocabulary.codes.join('\n')) {
      throw new Error(`the coordinator agreed ${arm.vocabulary.length} codes, the experiment computed ${cohort.vocabulary.codes.length}: the arms would not share columns`);
    }
    const model = modelWithWeights(settings.options, cohort.vocabulary.codes.length, arm.weights);
    try {
      federatedRow = { label: `federated (${strategyLabel(settings.options.strategy)}, ${arm.rounds.filter((r) => r.status === 'completed').length} rounds)`, trainingRecords: cohort.pooledTrain.rows, wallMs: arm.wallMs, ...score(model, cohort.pooledTrain, cohort.pooledHoldout) };
    } finally {
      model.dispose();
    }
    federated = { runId: arm.runId, roundCount: arm.rounds.length };
    load.push(loadavg()[0]);
    done.push('federated');
    await writeResults(false);
  }

  if (args.arms.includes('sites')) {
    for (const [k, matrix] of cohort.siteTrain.entries()) {
      log(`(a) ${siteIds[k]} alone on ${matrix.rows} records`);
      const { model, wallMs } = await trainWithoutFederation(matrix, settings, { onEpoch: epochLine(`${siteIds[k]} alone`) });
      try {
        // Privacy against the site's own held-out records: same case mix as its members.
        siteRows.push({ label: `${siteIds[k]} alone`, trainingRecords: matrix.rows, wallMs, ...score(model, matrix, cohort.siteHoldout[k]) });
      } finally {
        model.dispose();
      }
      load.push(loadavg()[0]);
    }
    done.push('sites');
    await writeResults(false);
  }

  const { rows, gain, totalMinutes } = await writeResults(true);
  log('');
  log(gainTable(rows));
  log('');
  log(mixtureTable(rows));
  log('');
  if (gain) {
    log(
      `federated RMSE / centralised RMSE = ${gain.ratioToCentralised.toFixed(3)} (target ≤ 1.10: ${gain.withinTenPercent ? 'met' : 'MISSED'}); ` +
        `federated ${gain.federatedRmse.toFixed(5)} vs sites alone on average ${gain.averageSiteRmse.toFixed(5)} (target: lower: ${gain.beatsAverageSite ? 'met' : 'MISSED'})`,
    );
  }
  log(`backend ${backend.name}; ${cpus().length} CPUs, 1-min load average ${load.map((l) => l.toFixed(1)).join(' → ')}; total ${totalMinutes.toFixed(1)} min; results in ${join(args.out, 'results.json')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`federation experiment failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
