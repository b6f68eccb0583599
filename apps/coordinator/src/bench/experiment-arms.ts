import { createModel, DEFAULT_GENERATOR_AVERAGE_DECAY, GeneratorAverage, modelSampler, prevalence, recalibrateBatchNorm, sampleRecords, setWeights, train, type BinaryMatrix, type GanModel, type SampleDraw, type TrainLog } from '@fedsynth/gan';
import type { WeightSet } from '@fedsynth/protocol';
import { SiteAgent, type SiteDataOptions } from '@fedsynth/site-agent';
import type { FederatedRunOptions } from '../federation/run-options';
import type { PhasePlan } from '../rounds/run-plan';
import type { RoundRecord } from '../store/round.repository';
import { FederationHarness } from './federation-harness';

/** One configuration, trained three ways: alone at each site, federated, centralised. */
export interface ArmSettings {
  options: FederatedRunOptions;
  aeRounds: number;
  ganRounds: number;
}

/**
 * The training an arm does per phase, so that every arm sees as many records as the federation.
 * Whole local epochs: rounds × local epochs over the arm's records (each record as often as in
 * the federation). Local steps: rounds × steps batches per site, so an arm that pools `sites`
 * sites' records (centralised) takes that many times the batches a single site takes.
 */
export type ArmWork = { kind: 'epochs'; aeEpochs: number; ganEpochs: number } | { kind: 'batches'; aeBatches: number; ganBatches: number };

export function armWork(settings: ArmSettings, sites = 1): ArmWork {
  const { localEpochs, localSteps } = settings.options.train;
  if (localSteps !== undefined) return { kind: 'batches', aeBatches: settings.aeRounds * localSteps * sites, ganBatches: settings.ganRounds * localSteps * sites };
  return { kind: 'epochs', aeEpochs: settings.aeRounds * localEpochs, ganEpochs: settings.ganRounds * localEpochs };
}

/** What armWork means in words, for the experiment's plan line. */
export function describeWork(work: ArmWork): string {
  return work.kind === 'epochs' ? `${work.aeEpochs} AE + ${work.ganEpochs} GAN epochs` : `${work.aeBatches} AE + ${work.ganBatches} GAN batches`;
}

/** The model a run's options build, with the run's initial weights (seeded) and its learning rate. */
export function buildArmModel(options: FederatedRunOptions, vocabularySize: number): GanModel {
  const { learningRate, seed } = options.train;
  return createModel(options.modelFamily, {
    ...options.model,
    vocabularySize,
    initSeed: seed,
    adam: { learningRate },
    autoencoderAdam: { learningRate },
  });
}

/**
 * Trains one model on one matrix as a single site would if it trained alone (or on the pooled
 * records, centralised): the run's architecture, initial weights, batch size and learning rate,
 * with the autoencoder epochs then the GAN epochs the federated run spreads over its rounds.
 * Like `fedsynth train`, it keeps the generator's moving average over its GAN steps (decay
 * DEFAULT_GENERATOR_AVERAGE_DECAY) and samples from it with recalibrated batch norm: each arm
 * gets its own setting's averaging (the federated run averages over rounds).
 */
export async function trainWithoutFederation(
  matrix: BinaryMatrix,
  settings: ArmSettings,
  input: { sites?: number; onEpoch?: (log: TrainLog) => void } = {},
): Promise<{ model: GanModel; wallMs: number }> {
  const model = buildArmModel(settings.options, matrix.cols);
  const work = armWork(settings, input.sites ?? 1);
  const { batchSize, seed } = settings.options.train;
  const started = performance.now();
  const average = new GeneratorAverage(model, DEFAULT_GENERATOR_AVERAGE_DECAY);
  try {
    // Marginal matching as a site does it without DP: towards the exact prevalences of the records trained on.
    const marginals = settings.options.marginals ? { marginals: { prevalence: prevalence(matrix), weight: settings.options.marginals.weight } } : {};
    const common = { batchSize, autoencoderBatchSize: batchSize, validationFraction: 0, seed, ...marginals };
    // A batch limit holds for each phase alike, so batch-limited phases train in two calls,
    // skipping a phase without batches (every epoch has at least one batch: as many epochs as
    // batches always reach the limit).
    const runs =
      work.kind === 'epochs'
        ? [{ epochs: work.ganEpochs, pretrainEpochs: work.aeEpochs }]
        : [
            { epochs: 0, pretrainEpochs: work.aeBatches, maxBatches: work.aeBatches },
            { epochs: work.ganBatches, pretrainEpochs: 0, maxBatches: work.ganBatches },
          ].filter((phase) => phase.maxBatches > 0);
    let ganSteps = 0;
    for (const phases of runs) {
      for await (const log of train(model, matrix, { ...common, ...phases })) {
        if (log.kind === 'step' && log.phase === 'gan') {
          average.update();
          ganSteps++;
        }
        if (log.kind === 'epoch') input.onEpoch?.(log);
      }
    }
    if (ganSteps > 0) {
      average.commit();
      recalibrateBatchNorm(model, { seed });
    }
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    average.dispose();
  }
  return { model, wallMs: performance.now() - started };
}

/** Synthetic records from a model: noise through the generator and decoder, drawn by `draw` (libs/gan default: Bernoulli). */
export function sampleSynthetic(model: GanModel, count: number, seed: number, draw?: SampleDraw): BinaryMatrix {
  return sampleRecords(modelSampler(model), { count, seed, ...(draw ? { draw } : {}) });
}

/** A model holding given (federated) weights. */
export function modelWithWeights(options: FederatedRunOptions, vocabularySize: number, weights: WeightSet): GanModel {
  const model = buildArmModel(options, vocabularySize);
  setWeights(model, weights.map((t) => ({ name: t.name, shape: t.shape, values: t.data })));
  return model;
}

export interface FederatedArmResult {
  runId: string;
  vocabulary: string[];
  /** The exported generator's weights (averaged over the GAN rounds as the run's options say). */
  weights: WeightSet;
  /** From the run's start request to its completion, as seen by the admin. */
  wallMs: number;
  rounds: RoundRecord[];
}

/**
 * The federated arm in one process: a real coordinator (REST, Socket.IO, SQLite,
 * checkpoints) and one real SiteAgent per site reading its own folder. Quality, not speed, is
 * what this arm measures: the agents share this process's one thread.
 */
export async function runFederatedArm(input: {
  dataDir: string;
  sites: readonly { siteId: string; data: SiteDataOptions }[];
  settings: ArmSettings;
  timeoutMs: number;
  onRound?: (round: RoundRecord) => void;
}): Promise<FederatedArmResult> {
  const siteIds = input.sites.map((s) => s.siteId);
  const harness = await FederationHarness.start({ dataDir: input.dataDir, siteIds });
  const agents: SiteAgent[] = [];
  try {
    for (const site of input.sites) {
      // Simulated hospitals: they share their code counts when a run pools its marginal target.
      agents.push(new SiteAgent({ url: harness.url, siteId: site.siteId, token: harness.tokens.get(site.siteId)!, data: site.data, shareCodeCounts: true }));
    }
    await Promise.all(agents.map((a) => a.start()));
    await harness.waitForSites(siteIds, 60_000);
    const phases: PhasePlan[] = [
      { phase: 'autoencoder', rounds: input.settings.aeRounds },
      { phase: 'gan', rounds: input.settings.ganRounds },
    ].filter((p): p is PhasePlan => p.rounds > 0);
    const started = performance.now();
    const runId = await harness.createAndStart({ plan: { phases, minSites: siteIds.length }, options: input.settings.options });
    const run = await harness.waitForRun(runId, { timeoutMs: input.timeoutMs, onRound: input.onRound });
    const wallMs = performance.now() - started;
    return { runId, vocabulary: run.vocabulary ?? [], weights: await harness.exportedWeights(runId), wallMs, rounds: harness.rounds(runId) };
  } finally {
    await Promise.all(agents.map((a) => a.close()));
    await harness.close();
  }
}
