import type { Command } from '../command';
import { ADMIN_HELP, AdminClient, runIdArgument } from './admin-api';
import { describePrivacy, type RunPrivacyView } from './federated-dp-options';

/** The fields of the coordinator's RunRecord the CLI shows (a structural copy: no runtime import of the coordinator). */
export interface RunRecordView {
  id: string;
  status: 'created' | 'running' | 'stopped' | 'completed' | 'failed';
  plan: { phases: { phase: string; rounds: number }[]; minSites: number };
  currentPhase: string | null;
  currentRound: number | null;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** One evaluation round as GET /api/runs/:id lists it: the combined metrics, and who answered. */
export interface EvaluationView {
  round: number;
  status: 'collecting' | 'completed' | 'failed';
  askedSiteIds: string[];
  metrics: Record<string, number> | null;
  summary: { siteCount: number; recordCount: number; failureCount: number } | null;
  error: string | null;
}

/** GET /api/runs/:id: the run, its live stage, and every round attempt (sites and evaluations from coordinators that report them). */
export interface RunDetailView {
  run: RunRecordView;
  stage: string;
  completedRounds: number | null;
  /** Connected vs needed sites, while the coordinator drives the run. */
  sites?: { connected: number; needed: number } | null;
  rounds: { round: number; attempt: number; phase: string; status: string; error: string | null }[];
  evaluations?: EvaluationView[];
  /** ε each site reported (DP runs). */
  privacy?: RunPrivacyView;
}

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'stopped']);

export function totalRoundsOf(run: RunRecordView): number {
  return run.plan.phases.reduce((sum, p) => sum + p.rounds, 0);
}

/** The stage for people: a run waiting for its quorum says how many sites it has. */
export function describeStage(stage: string, sites?: { connected: number; needed: number } | null): string {
  if (stage === 'waitingForSites' && sites) return `waiting for sites (${sites.connected}/${sites.needed} connected)`;
  return stage;
}

/** The evaluation metrics a status line shows, in order, with their short names. */
const EVALUATION_HEADLINE: ReadonlyArray<[string, string]> = [
  ['synthetic.fidelity.prevalence.pearson', 'prevalence r'],
  ['synthetic.fidelity.prevalence.rmse', 'RMSE'],
  ['synthetic.utility.prediction.meanGap', 'prediction gap'],
  ['synthetic.privacy.membershipInference.advantage', 'MIA advantage'],
];

/** One line per evaluation round, e.g. "round 4 eval: prevalence r 0.931, RMSE 0.0123, ..., 2 of 3 sites, 14 held-out records". */
export function describeEvaluation(evaluation: EvaluationView): string {
  const head = `round ${evaluation.round + 1} eval`;
  const asked = evaluation.askedSiteIds.length;
  if (evaluation.status === 'collecting') return `${head}: collecting from ${asked} site(s)`;
  if (evaluation.status === 'failed') return `${head} failed: ${evaluation.error ?? 'no reason recorded'}`;
  const metrics = evaluation.metrics ?? {};
  const parts = EVALUATION_HEADLINE.filter(([name]) => Number.isFinite(metrics[name])).map(([name, label]) => `${label} ${metrics[name].toPrecision(3)}`);
  if (evaluation.summary) parts.push(`${evaluation.summary.siteCount} of ${asked} sites`, `${evaluation.summary.recordCount} held-out records`);
  return `${head}: ${parts.join(', ')}`;
}

/** One line: status, stage, phase and round (1-based for people, "of" the plan's total). */
export function describeRun(run: RunRecordView, stage: string, completedRounds?: number | null, sites?: { connected: number; needed: number } | null): string {
  const total = totalRoundsOf(run);
  const parts = [`status ${run.status}`];
  if (stage !== run.status) parts.push(`stage ${describeStage(stage, sites)}`);
  if (run.currentRound !== null) parts.push(`round ${run.currentRound + 1}/${total} (${run.currentPhase ?? '?'})`);
  else parts.push(`${total} rounds planned`);
  if (completedRounds !== undefined && completedRounds !== null) parts.push(`${completedRounds} completed`);
  if (run.error) parts.push(`error: ${run.error}`);
  return parts.join(', ');
}

export function fetchRun(client: AdminClient, id: string): Promise<RunDetailView> {
  return client.json<RunDetailView>('GET', `/api/runs/${encodeURIComponent(id)}`);
}

const HELP = `Usage: fedsynth run status RUN_ID --coordinator URL [--json]

Prints a run's status (created, running, stopped, completed, failed), its live stage
(waiting for sites, vocabulary, training, ...), the current phase and round, the last round
attempts, and the last evaluation rounds (the global generator scored on the sites' held-out
records: prevalence r, RMSE, ..., combined weighted by record count).

Options:
  --coordinator URL          coordinator base URL, e.g. http://localhost:8080 (required)
  --json                     print GET /api/runs/:id as returned (run, stage, rounds)

${ADMIN_HELP}

Examples:
  fedsynth run status 3f2c9a4e-... --coordinator http://localhost:8080
  fedsynth run status 3f2c9a4e-... --coordinator http://localhost:8080 --json | jq .stage
`;

export const runStatusCommand: Command = {
  path: ['run', 'status'],
  summary: 'Show a run: status, phase, round and recent round attempts',
  help: HELP,
  options: { coordinator: { type: 'string' }, ca: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals, io) {
    const id = runIdArgument(positionals, 'fedsynth run status RUN_ID --coordinator URL');
    const client = AdminClient.from(values);
    const detail = await fetchRun(client, id);
    if (values.json === true) {
      io.out(JSON.stringify(detail, null, 2) + '\n');
      return 0;
    }
    const { run } = detail;
    const lines = [
      `run ${run.id}`,
      `  status    ${run.status}`,
      `  stage     ${describeStage(detail.stage, detail.sites)}`,
      `  phase     ${run.currentPhase ?? '-'}`,
      `  round     ${run.currentRound === null ? '-' : `${run.currentRound + 1} of ${totalRoundsOf(run)}`}`,
      `  plan      ${run.plan.phases.map((p) => `${p.rounds} ${p.phase}`).join(' + ')} rounds, quorum ${run.plan.minSites}`,
    ];
    if (detail.completedRounds !== null) lines.push(`  completed ${detail.completedRounds} round(s)`);
    if (run.error) lines.push(`  error     ${run.error}`);
    lines.push(...describePrivacy(detail.privacy));
    // The last few attempts are what an operator needs to see why a round is stuck or retried.
    const recent = detail.rounds.slice(-5);
    if (recent.length > 0) {
      lines.push('  recent round attempts:');
      for (const r of recent) lines.push(`    round ${r.round + 1} attempt ${r.attempt} (${r.phase}): ${r.status}${r.error ? ` — ${r.error}` : ''}`);
    }
    const evaluations = (detail.evaluations ?? []).slice(-5);
    if (evaluations.length > 0) {
      lines.push('  evaluations (held-out records at the sites, record-weighted):');
      for (const e of evaluations) lines.push(`    ${describeEvaluation(e)}`);
    }
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};
