import type { Phase } from '@fedsynth/protocol';
import { totalRounds, type PhasePlan } from '../rounds/run-plan';
import type { RunState } from '../rounds/round-state';
import type { SiteProgress, SiteSession } from '../sites/site-sessions';
import type { RoundRecord } from '../store/round.repository';
import type { RunRecord, RunStatus } from '../store/run.repository';
import type { SiteRecord } from '../store/site.repository';
import type { EvaluationRecord } from '../store/evaluation.repository';

/**
 * What the dashboard shows, as plain JSON built from the store and the live state. Pure
 * functions: the feed (dashboard-feed.ts) gathers the inputs and pushes the results. Only
 * aggregates: counts, losses, metrics, progress fractions; never a record.
 */

export interface SiteView {
  id: string;
  name: string;
  connected: boolean;
  /** Connected and its DataSummary taken: it can join runs. */
  ready: boolean;
  revokedAt: number | null;
  /** The later of the stored connection time and the last progress heartbeat. */
  lastSeenAt: number | null;
  protocolVersion: number | null;
  recordCount: number | null;
  roundsContributed: number;
  progress: SiteProgress | null;
}

export interface RunSummaryView {
  id: string;
  status: RunStatus;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  modelFamily: string;
  phases: PhasePlan[];
  totalRounds: number;
  /** Distinct rounds completed and checkpointed. */
  completedRounds: number;
  currentPhase: Phase | null;
  /** 0-based, as stored. */
  currentRound: number | null;
}

export interface RoundAttemptView {
  round: number;
  attempt: number;
  phase: Phase;
  status: RoundRecord['status'];
  startedAt: number;
  completedAt: number | null;
  deadlineAt: number | null;
  metrics: Readonly<Record<string, unknown>> | null;
  error: string | null;
}

/** One completed round's training losses (record-weighted means of the sites' last epoch). */
export interface LossPoint {
  round: number;
  phase: Phase;
  losses: Record<string, number>;
}

/** One completed evaluation's combined metrics. */
export interface QualityPoint {
  round: number;
  metrics: Record<string, number>;
}

/** One evaluation round: combined metrics (weighted by held-out records) and who answered. */
export interface EvaluationView {
  round: number;
  status: EvaluationRecord['status'];
  startedAt: number;
  completedAt: number | null;
  siteCount: number | null;
  recordCount: number | null;
  failureCount: number | null;
  error: string | null;
  /** Each asked site's answer: its held-out record count, or why it gave none (no per-site metrics). */
  sites: { siteId: string; recordCount: number; error: { code: string; reason: string } | null }[];
  metrics: Record<string, number>;
}

/** Where a site stands in the round in progress. */
export interface SiteRoundProgress {
  siteId: string;
  /** training: heartbeat progress below 1; sent: accepted by the coordinator. */
  state: 'waiting' | 'training' | 'evaluating' | 'trained' | 'accepted' | 'rejected' | 'dropped';
  progress: number;
  at: number | null;
}

export interface RunView extends RunSummaryView {
  plan: { minSites: number; roundDeadlineMs: number; maxRoundRetries: number; evaluateEvery: number };
  training: { localEpochs: number | null; localSteps: number | null; batchSize: number | null; learningRate: number | null; strategy: string | null };
  /** The driver's stage when the run is active here, else the stored status. */
  stage: string;
  live: {
    round: number;
    phase: Phase;
    attempt: number;
    stage: string;
    startedAt: number;
    deadlineAt: number;
    sites: SiteRoundProgress[];
  } | null;
  rounds: RoundAttemptView[];
  losses: LossPoint[];
  quality: QualityPoint[];
  /** The latest completed evaluation, with every metric the sites reported (combined). */
  latestEvaluation: EvaluationView | null;
  /** Every evaluation round, without its metrics (status, counts, errors). */
  evaluations: Omit<EvaluationView, 'metrics'>[];
  /** Completed GAN rounds: each one's generator can be downloaded. */
  generatorRounds: number[];
}

/** Training metric names drawn as losses: autoencoder reconstruction, discriminator, generator. */
export const LOSS_KEYS = ['ae', 'd', 'g'] as const;

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function siteViews(input: {
  sites: readonly SiteRecord[];
  sessions: (siteId: string) => SiteSession | undefined;
  roundsContributed: ReadonlyMap<string, number>;
}): SiteView[] {
  return input.sites.map((site) => {
    const session = input.sessions(site.id);
    const progress = session?.progress ?? null;
    const lastSeenAt = Math.max(site.lastSeenAt ?? 0, progress?.at ?? 0) || null;
    return {
      id: site.id,
      name: site.name,
      connected: session !== undefined,
      ready: session?.summary !== undefined,
      revokedAt: site.revokedAt,
      lastSeenAt,
      protocolVersion: site.protocolVersion,
      recordCount: site.recordCount,
      roundsContributed: input.roundsContributed.get(site.id) ?? 0,
      progress,
    };
  });
}

function completedRoundCount(rounds: readonly RoundRecord[]): number {
  return new Set(rounds.filter((r) => r.status === 'completed').map((r) => r.round)).size;
}

export function runSummaryView(run: RunRecord, rounds: readonly RoundRecord[]): RunSummaryView {
  return {
    id: run.id,
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
    modelFamily: typeof run.options['modelFamily'] === 'string' ? (run.options['modelFamily'] as string) : 'medgan',
    phases: run.plan.phases.map((p) => ({ phase: p.phase, rounds: p.rounds })),
    totalRounds: totalRounds(run.plan),
    completedRounds: completedRoundCount(rounds),
    currentPhase: run.currentPhase,
    currentRound: run.currentRound,
  };
}

/** The sites of the round in progress: selected ones once it opened, else the connected ones. */
export function roundProgress(live: RunState, progressOf: (siteId: string) => SiteProgress | undefined): SiteRoundProgress[] {
  const round = live.round;
  if (!round) return [];
  const sites = round.selected.length > 0 ? round.selected : live.connected;
  const accepted = new Set(round.accepted.map((a) => a.siteId));
  const rejected = new Set(round.rejected.map((r) => r.siteId));
  const dropped = new Set(round.dropped);
  return sites.map((siteId) => {
    const heartbeat = progressOf(siteId);
    // A heartbeat counts only for this run and round (a site may report an older task)...
    const current = heartbeat && heartbeat.runId === live.runId && heartbeat.round === round.index ? heartbeat : undefined;
    const at = current?.at ?? null;
    if (accepted.has(siteId)) return { siteId, state: 'accepted', progress: 1, at };
    if (rejected.has(siteId)) return { siteId, state: 'rejected', progress: current?.progress ?? 1, at };
    if (dropped.has(siteId)) return { siteId, state: 'dropped', progress: current?.progress ?? 0, at };
    // ...except an evaluation of an earlier round of this run, which the site finishes before training this one.
    if (!current && heartbeat && heartbeat.runId === live.runId && heartbeat.state === 'evaluating' && heartbeat.progress < 1) {
      return { siteId, state: 'evaluating', progress: heartbeat.progress, at: heartbeat.at };
    }
    if (!current) return { siteId, state: 'waiting', progress: 0, at };
    if (current.progress >= 1) return { siteId, state: 'trained', progress: 1, at };
    return { siteId, state: current.state === 'evaluating' ? 'evaluating' : 'training', progress: current.progress, at };
  });
}

function pickNumbers(metrics: Readonly<Record<string, unknown>> | null, keys?: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(metrics ?? {})) {
    const n = num(value);
    if (n !== null && (!keys || keys.includes(key))) out[key] = n;
  }
  return out;
}

export function evaluationView(record: EvaluationRecord): EvaluationView {
  return {
    round: record.round,
    status: record.status,
    startedAt: record.startedAt,
    completedAt: record.completedAt,
    siteCount: record.summary?.siteCount ?? null,
    recordCount: record.summary?.recordCount ?? null,
    failureCount: record.summary?.failureCount ?? null,
    error: record.error,
    sites: record.sites.map((s) => ({ siteId: s.siteId, recordCount: s.recordCount, error: s.error })),
    metrics: pickNumbers(record.metrics),
  };
}

export function runView(input: {
  run: RunRecord;
  rounds: readonly RoundRecord[];
  live: RunState | undefined;
  progressOf: (siteId: string) => SiteProgress | undefined;
  evaluations: readonly EvaluationRecord[];
}): RunView {
  const { run, rounds, live } = input;
  const completed = rounds.filter((r) => r.status === 'completed');
  const train = (run.options['train'] ?? {}) as Record<string, unknown>;
  const strategy = (run.options['strategy'] ?? {}) as Record<string, unknown>;
  const evaluations = input.evaluations.map(evaluationView);
  const evaluated = evaluations.filter((e) => e.status === 'completed');
  return {
    ...runSummaryView(run, rounds),
    plan: { minSites: run.plan.minSites, roundDeadlineMs: run.plan.roundDeadlineMs, maxRoundRetries: run.plan.maxRoundRetries, evaluateEvery: run.plan.evaluateEvery },
    training: {
      localEpochs: num(train['localEpochs']),
      localSteps: num(train['localSteps']),
      batchSize: num(train['batchSize']),
      learningRate: num(train['learningRate']),
      strategy: typeof strategy['name'] === 'string' ? (strategy['name'] as string) : null,
    },
    stage: live?.stage ?? run.status,
    live:
      live?.round && (live.stage === 'training' || live.stage === 'vocabulary')
        ? {
            round: live.round.index,
            phase: live.round.phase,
            attempt: live.round.attempt,
            stage: live.round.stage,
            startedAt: live.round.startedAt,
            deadlineAt: live.round.deadlineAt,
            sites: roundProgress(live, input.progressOf),
          }
        : null,
    rounds: rounds.map((r) => ({
      round: r.round,
      attempt: r.attempt,
      phase: r.phase,
      status: r.status,
      startedAt: r.startedAt,
      completedAt: r.completedAt,
      deadlineAt: r.deadlineAt,
      metrics: r.metrics,
      error: r.error,
    })),
    losses: completed.map((r) => ({ round: r.round, phase: r.phase, losses: pickNumbers(r.metrics, LOSS_KEYS) })),
    quality: evaluated.map((e) => ({ round: e.round, metrics: e.metrics })),
    latestEvaluation: evaluated[evaluated.length - 1] ?? null,
    evaluations: evaluations.map(({ metrics: _metrics, ...rest }) => rest),
    generatorRounds: completed.filter((r) => r.phase === 'gan').map((r) => r.round),
  };
}
