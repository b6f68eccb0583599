/**
 * `npm run experiment:privacy`: what differential privacy costs a federated generator. A
 * simulated cohort of 3 hospitals (as experiment:federation), one federated run per target
 * ε ∈ {1, 3, 10, ∞} through a real coordinator and 3 real site agents (each in a process
 * of its own), DP-SGD at the sites with σ chosen by the RDP accountant so that every site
 * stays within ε over the run's planned steps (δ = 1e-5). ∞ is the same run without DP.
 * With --secagg, every arm runs again with secure aggregation (when the coordinator has it);
 * --arms secagg runs only those.
 * Every generator is scored on the pooled holdout: prevalence r and RMSE, prediction gap,
 * membership-inference advantage and DCR share (members: the pooled training records).
 *
 *   node apps/coordinator/dist/bench/privacy.experiment.js [--out DIR] [--patients 7500]
 *       [--codes 1071] [--code-level category] [--epsilons 1,3,10,inf] [--delta 1e-5]
 *       [--clip-norm 1] [--ae-rounds 5] [--gan-rounds 15] [--local-epochs 2]
 *       [--batch-size 100] [--learning-rate 2e-3] [--synthetic 5000] [--seed 1] [--secagg]
 *       [--arms plain,secagg] [--family medgan|wgan-gp] [--discriminator-steps N]
 *       [--discriminator-dims 128,64] [--latent-dim 128] [--average-decay 0.8]
 *       [--no-minibatch-averaging] [--marginal-weight 1] [--marginal-share 0.15]
 *
 * The model flags are for tuning DP runs: under DP minibatch averaging is always off (a
 * record's score may not depend on its batch), and --no-minibatch-averaging turns it off for
 * the ε = ∞ arm too, to separate what DP noise costs from what the architecture change costs.
 * --discriminator-steps defaults to the family's own (medGAN 2, WGAN-GP 5).
 * Defaults are the ones tuned at ε = 10 (README "Tuning for ε = 10": 5 AE rounds, a smaller
 * discriminator, marginal matching at weight 1). --marginal-weight 0 turns marginal
 * matching off; otherwise it is on in every arm (run option marginals): under DP each site's
 * one-off noisy prevalence release gets the noise z at which it alone would cost
 * --marginal-share of the arm's ε, and σ is then chosen with that release in each site's plan;
 * the ε = ∞ arm matches the sites' exact prevalences.
 *
 * The vocabulary is fixed to the cohort's codes (the simulator's list, public here), so no
 * site releases noisy code counts: ε is DP-SGD's alone, as each site's accountant reports it.
 * Writes DIR/results.json (after every arm) and prints a Markdown table.
 */
import { DEFAULT_SAMPLE_DRAW, initBackend, type BinaryMatrix } from '@fedsynth/gan';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { plannedSegment } from '@fedsynth/site-agent';
import { checkRunOptions, type FederatedRunOptions } from '../federation/run-options';
import type { RunPrivacySummary } from '../store/privacy.repository';
import { modelWithWeights, sampleSynthetic } from './experiment-arms';
import { loadExperimentCohort, simulateSites, siteDataOptions } from './experiment-cohort';
import { FederationHarness } from './federation-harness';
import { GeneratorScorer, type GeneratorScores } from './generator-scores';
import { noiseForEpsilon, noiseForRelease, worstSiteEpsilon } from './noise-for-epsilon';
import { privacyTable, type PrivacyRow } from './privacy-table';

const log = (line: string) => process.stdout.write(`${line}\n`);
const SITE_PROCESS = join(__dirname, 'site-process.js');

function whole(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got '${raw}'`);
  return n;
}

function positive(name: string, raw: string, max = Infinity): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= max) throw new Error(`--${name} must be a number > 0${max < Infinity ? ` and < ${max}` : ''}, got '${raw}'`);
  return n;
}

function parse() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/fedsynth-privacy-experiment' },
      patients: { type: 'string', default: '7500' },
      codes: { type: 'string', default: '1071' },
      'code-level': { type: 'string', default: 'category' },
      skew: { type: 'string', default: '0.5' },
      epsilons: { type: 'string', default: '1,3,10,inf' },
      delta: { type: 'string', default: '1e-5' },
      'clip-norm': { type: 'string', default: '1' },
      'ae-rounds': { type: 'string', default: '5' },
      'gan-rounds': { type: 'string', default: '15' },
      'local-epochs': { type: 'string', default: '2' },
      'batch-size': { type: 'string', default: '100' },
      'learning-rate': { type: 'string', default: '2e-3' },
      family: { type: 'string', default: 'medgan' },
      'discriminator-steps': { type: 'string' },
      'no-minibatch-averaging': { type: 'boolean', default: false },
      'marginal-weight': { type: 'string', default: '1' },
      'marginal-share': { type: 'string', default: '0.15' },
      'discriminator-dims': { type: 'string', default: '128,64' },
      'latent-dim': { type: 'string', default: '128' },
      'average-decay': { type: 'string', default: '0.8' },
      'min-code-count': { type: 'string', default: '5' },
      synthetic: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '1' },
      secagg: { type: 'boolean', default: false },
      arms: { type: 'string' },
      'timeout-min': { type: 'string', default: '60' },
    },
  });
  const codeLevel = values['code-level'];
  if (codeLevel !== 'full' && codeLevel !== 'category') throw new Error(`--code-level must be full or category, got '${codeLevel}'`);
  const epsilons = values.epsilons.split(',').map((e) => (e.trim() === 'inf' ? Infinity : positive('epsilons', e)));
  const armKinds = (values.arms ?? (values.secagg === true ? 'plain,secagg' : 'plain')).split(',').map((a) => {
    if (a !== 'plain' && a !== 'secagg') throw new Error(`--arms takes plain, secagg or both (comma-separated), got '${a}'`);
    return a === 'secagg';
  });
  const skew = Number(values.skew);
  if (!(skew >= 0 && skew <= 1)) throw new Error(`--skew must be a number from 0 to 1, got '${values.skew}'`);
  return {
    out: values.out,
    cohort: { patients: whole('patients', values.patients, 3), codes: whole('codes', values.codes, 2), skew, seed: whole('seed', values.seed, 0) },
    codeLevel: codeLevel as 'full' | 'category',
    epsilons,
    delta: positive('delta', values.delta, 1),
    clipNorm: positive('clip-norm', values['clip-norm']),
    aeRounds: whole('ae-rounds', values['ae-rounds'], 0),
    ganRounds: whole('gan-rounds', values['gan-rounds'], 1),
    train: {
      localEpochs: whole('local-epochs', values['local-epochs'], 1),
      batchSize: whole('batch-size', values['batch-size'], 1),
      learningRate: positive('learning-rate', values['learning-rate'], 1),
      seed: whole('seed', values.seed, 0),
    },
    family: (() => {
      if (values.family !== 'medgan' && values.family !== 'wgan-gp') throw new Error(`--family must be medgan or wgan-gp, got '${values.family}'`);
      return values.family;
    })() as 'medgan' | 'wgan-gp',
    discriminatorSteps: values['discriminator-steps'] === undefined ? undefined : whole('discriminator-steps', values['discriminator-steps'], 1),
    noMinibatchAveraging: values['no-minibatch-averaging'] === true,
    marginalWeight: (() => {
      const weight = Number(values['marginal-weight']);
      if (values['marginal-weight'].trim() === '' || !(weight >= 0) || !Number.isFinite(weight)) throw new Error(`--marginal-weight must be a number ≥ 0 (0: off), got '${values['marginal-weight']}'`);
      return weight > 0 ? weight : undefined;
    })(),
    marginalShare: positive('marginal-share', values['marginal-share'], 1),
    discriminatorDims: values['discriminator-dims'].split(',').map((d) => whole('discriminator-dims', d, 1)),
    latentDim: whole('latent-dim', values['latent-dim'], 1),
    averageDecay: (() => {
      const decay = Number(values['average-decay']);
      if (values['average-decay'].trim() === '' || !(decay >= 0 && decay < 1)) throw new Error(`--average-decay must be a number from 0 (no average) to below 1, got '${values['average-decay']}'`);
      return decay;
    })(),
    minCodeCount: whole('min-code-count', values['min-code-count'], 1),
    synthetic: whole('synthetic', values.synthetic, 100),
    armKinds,
    timeoutMs: whole('timeout-min', values['timeout-min'], 1) * 60_000,
  };
}

/** A site agent in its own process (the same runSiteAgent as `fedsynth site`), so the coordinator's thread stays free. */
function startSite(url: string, siteId: string, token: string, dir: string, codeLevel: string, minCodeCount: number): ChildProcess {
  const child = spawn(process.execPath, [SITE_PROCESS, '--url', url, '--site', siteId, '--input', dir, '--code-level', codeLevel, '--min-code-count', String(minCodeCount)], {
    env: { ...process.env, FEDSYNTH_SITE_TOKEN: token },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Aggregates only (losses, ε); kept out of the table's output except for failures.
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    for (const line of text.split('\n')) if (/failed|error|refused/i.test(line) && !/backend/.test(line)) process.stderr.write(`${line}\n`);
  });
  return child;
}

async function stopSites(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function main(): Promise<void> {
  const args = parse();
  const started = performance.now();
  const load = [loadavg()[0]];
  const backend = await initBackend({ log });
  const { siteDirs, summary } = await simulateSites({ dir: join(args.out, 'cohort'), sites: 3, ...args.cohort });
  const dataOptions = siteDirs.map((dir) => siteDataOptions(dir, { codeLevel: args.codeLevel, holdoutFraction: 0.2, splitSeed: 1, minCodeCount: args.minCodeCount }));
  const cohort = await loadExperimentCohort(dataOptions);
  const siteIds = siteDirs.map((_, k) => `site-${k + 1}`);
  const rounds = args.aeRounds + args.ganRounds;
  // Each site's DP-SGD plan for the whole run: q = batch ÷ its records, ⌈1/q⌉ steps per local epoch.
  const plans = cohort.siteTrain.map((m) => {
    const segment = plannedSegment({ noiseMultiplier: 1, clipNorm: args.clipNorm, expectedBatchSize: args.train.batchSize }, args.train, m.rows);
    return { sampleRate: segment.sampleRate, steps: segment.steps * rounds };
  });
  log(
    `cohort: ${summary.totals.patients} patients, training records per site ${cohort.siteTrain.map((m) => m.rows).join(' / ')}, pooled holdout ${cohort.pooledHoldout.rows}; ` +
      `fixed vocabulary of ${cohort.vocabulary.codes.length} ${args.codeLevel === 'category' ? 'categories' : 'codes'}`,
  );
  log(
    `plan: ${args.aeRounds} AE + ${args.ganRounds} GAN rounds × ${args.train.localEpochs} local epoch(s), expected batch ${args.train.batchSize}; ` +
      `DP-SGD steps per site ${plans.map((p) => `${p.steps} at q = ${p.sampleRate.toFixed(4)}`).join(', ')}; clip ${args.clipNorm}, δ = ${args.delta}`,
  );

  const scorer = new GeneratorScorer(cohort.pooledTrain, cohort.pooledHoldout, args.cohort.seed);
  const arms: { epsilon: number; secagg: boolean }[] = [];
  const secaggAvailable = (() => {
    try {
      return checkRunOptions({ secureAggregation: { enabled: true } }).secureAggregation?.enabled === true;
    } catch {
      return false;
    }
  })();
  if (args.armKinds.includes(true) && !secaggAvailable) log('secure aggregation: this coordinator has none; its arms are skipped');
  for (const secagg of args.armKinds) if (!secagg || secaggAvailable) for (const epsilon of args.epsilons) arms.push({ epsilon, secagg });

  const rows: PrivacyRow[] = [];
  const floor = scorer.score(cohort.pooledTrain, { members: cohort.pooledTrain, nonMembers: cohort.pooledHoldout });
  const writeResults = async (finished: boolean) => {
    await mkdir(args.out, { recursive: true });
    const command = `node apps/coordinator/dist/bench/privacy.experiment.js ${process.argv.slice(2).join(' ')}`.trim();
    await writeFile(
      join(args.out, 'results.json'),
      JSON.stringify(
        {
          command,
          date: new Date().toISOString(),
          backend,
          machine: { cpus: cpus().length, loadAverage1m: load },
          cohort: { ...args.cohort, codeLevel: args.codeLevel, vocabularySize: cohort.vocabulary.codes.length, siteTrainingRecords: cohort.siteTrain.map((m) => m.rows), pooledHoldoutRecords: cohort.pooledHoldout.rows },
          settings: { family: args.family, noMinibatchAveraging: args.noMinibatchAveraging, marginalWeight: args.marginalWeight ?? null, marginalShare: args.marginalShare, aeRounds: args.aeRounds, ganRounds: args.ganRounds, train: args.train, discriminatorSteps: args.discriminatorSteps, discriminatorDims: args.discriminatorDims, latentDim: args.latentDim, averageDecay: args.averageDecay, clipNorm: args.clipNorm, delta: args.delta, plans },
          synthetic: args.synthetic,
          // How the generators were sampled (Bernoulli draws since 2026-11-28; the README's figures before rounded).
          sampling: DEFAULT_SAMPLE_DRAW,
          rows,
          realRecords: floor,
          totalMinutes: (performance.now() - started) / 60_000,
          finished,
        },
        null,
        2,
      ) + '\n',
    );
  };

  for (const arm of arms) {
    // Marginal matching: the release's z from its share of ε, then σ with the release in every plan.
    const marginals = args.marginalWeight !== undefined && Number.isFinite(arm.epsilon) ? { weight: args.marginalWeight, noiseMultiplier: noiseForRelease(args.marginalShare * arm.epsilon, args.delta) } : undefined;
    const armPlans = marginals ? plans.map((p) => ({ ...p, releases: [{ sampleRate: 1, noiseMultiplier: marginals.noiseMultiplier, steps: 1 }] })) : plans;
    const dp = Number.isFinite(arm.epsilon) ? { noiseMultiplier: noiseForEpsilon(arm.epsilon, args.delta, armPlans), clipNorm: args.clipNorm } : undefined;
    const label = `ε = ${Number.isFinite(arm.epsilon) ? arm.epsilon : '∞'}${arm.secagg ? ', secure aggregation' : ''}`;
    log(
      `arm ${label}: ${dp ? `σ = ${dp.noiseMultiplier} (accountant: worst site ε = ${worstSiteEpsilon(armPlans, dp.noiseMultiplier, args.delta).toFixed(3)})` : 'no DP'}` +
        (marginals ? `; marginal matching weight ${marginals.weight}, prevalence release z = ${marginals.noiseMultiplier}` : args.marginalWeight !== undefined ? `; marginal matching weight ${args.marginalWeight} on exact prevalences` : ''),
    );
    const options: FederatedRunOptions = checkRunOptions({
      modelFamily: args.family,
      model: {
        ...(args.discriminatorSteps !== undefined ? { discriminatorSteps: args.discriminatorSteps } : {}),
        ...(args.noMinibatchAveraging ? { minibatchAveraging: false } : {}),
        discriminatorDims: args.discriminatorDims,
        latentDim: args.latentDim,
      },
      train: args.train,
      generatorAverage: { decay: args.averageDecay },
      vocabulary: { codeLevel: args.codeLevel, fixed: cohort.vocabulary.codes },
      ...(dp ? { dp } : {}),
      // Marginal matching in every arm: a noisy release under DP, the exact prevalences at ε = ∞.
      ...(marginals ? { marginals } : args.marginalWeight !== undefined ? { marginals: { weight: args.marginalWeight } } : {}),
      ...(arm.secagg ? { secureAggregation: { enabled: true } } : {}),
    });
    const dataDir = join(args.out, 'coordinator');
    await rm(dataDir, { recursive: true, force: true });
    const harness = await FederationHarness.start({ dataDir, siteIds, roundDeadlineMs: args.timeoutMs });
    const children = siteIds.map((siteId, k) => startSite(harness.url, siteId, harness.tokens.get(siteId)!, siteDirs[k]!, args.codeLevel, args.minCodeCount));
    const armStarted = performance.now();
    let scores: GeneratorScores;
    let privacy: RunPrivacySummary | undefined;
    try {
      await harness.waitForSites(siteIds, 120_000);
      const phases = [
        { phase: 'autoencoder' as const, rounds: args.aeRounds },
        { phase: 'gan' as const, rounds: args.ganRounds },
      ].filter((p) => p.rounds > 0);
      const runId = await harness.createAndStart({ plan: { phases, minSites: 3, maxRoundRetries: 1 }, options });
      await harness.waitForRun(runId, {
        timeoutMs: args.timeoutMs,
        onRound: (round) => log(`  round ${round.round} (${round.phase}) done in ${((round.completedAt! - round.startedAt) / 1000).toFixed(1)} s`),
      });
      privacy = harness.privacy(runId);
      const model = modelWithWeights(options, cohort.vocabulary.codes.length, await harness.exportedWeights(runId));
      try {
        const synthetic: BinaryMatrix = sampleSynthetic(model, args.synthetic, args.cohort.seed);
        scores = scorer.score(synthetic, { members: cohort.pooledTrain, nonMembers: cohort.pooledHoldout });
      } finally {
        model.dispose();
      }
    } finally {
      await stopSites(children);
      await harness.close();
    }
    rows.push({
      label,
      targetEpsilon: Number.isFinite(arm.epsilon) ? arm.epsilon : null,
      secureAggregation: arm.secagg,
      noiseMultiplier: dp?.noiseMultiplier ?? null,
      // What the sites' own accountants reported (TrainResult or MaskedUpdate), beside the plan's ε.
      reportedEpsilon: privacy?.maxEpsilon ?? null,
      plannedEpsilon: dp ? worstSiteEpsilon(armPlans, dp.noiseMultiplier, args.delta) : null,
      wallMs: performance.now() - armStarted,
      scores,
    });
    load.push(loadavg()[0]);
    log(`  ${label}: prevalence r ${scores.pearson.toFixed(3)}, RMSE ${scores.rmse.toFixed(4)}, MIA advantage ${scores.membershipAdvantage.toFixed(4)}, ε reported ${privacy?.maxEpsilon?.toFixed(3) ?? '-'}`);
    await writeResults(false);
  }
  await writeResults(true);
  log('');
  log(privacyTable(rows, floor));
  log('');
  log(`backend ${backend.name}; ${cpus().length} CPUs, 1-min load average ${load.map((l) => l.toFixed(1)).join(' → ')}; total ${((performance.now() - started) / 60_000).toFixed(1)} min; results in ${join(args.out, 'results.json')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`privacy experiment failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
