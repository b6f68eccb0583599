import type { Command } from '../command';
import { ADMIN_HELP, AdminClient, runIdArgument } from './admin-api';

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

/** GET /api/runs/:id: the run, its live stage, and every round attempt. */
export interface RunDetailView {
  run: RunRecordView;
  stage: string;
  completedRounds: number | null;
  rounds: { round: number; attempt: number; phase: string; status: string; error: string | null }[];
}

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'stopped']);

export function totalRoundsOf(run: RunRecordView): number {
  return run.plan.phases.reduce((sum, p) => sum + p.rounds, 0);
}

/** One line: status, stage, phase and round (1-based for people, "of" the plan's total). */
export function describeRun(run: RunRecordView, stage: string, completedRounds?: number | null): string {
  const total = totalRoundsOf(run);
  const parts = [`status ${run.status}`];
  if (stage !== run.status) parts.push(`stage ${stage}`);
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
(vocabulary, training, ...), the current phase and round, and the last round attempts.

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
  options: { coordinator: { type: 'string' }, json: { type: 'boolean' } },
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
      `  stage     ${detail.stage}`,
      `  phase     ${run.currentPhase ?? '-'}`,
      `  round     ${run.currentRound === null ? '-' : `${run.currentRound + 1} of ${totalRoundsOf(run)}`}`,
      `  plan      ${run.plan.phases.map((p) => `${p.rounds} ${p.phase}`).join(' + ')} rounds, quorum ${run.plan.minSites}`,
    ];
    if (detail.completedRounds !== null) lines.push(`  completed ${detail.completedRounds} round(s)`);
    if (run.error) lines.push(`  error     ${run.error}`);
    // The last few attempts are what an operator needs to see why a round is stuck or retried.
    const recent = detail.rounds.slice(-5);
    if (recent.length > 0) {
      lines.push('  recent round attempts:');
      for (const r of recent) lines.push(`    round ${r.round + 1} attempt ${r.attempt} (${r.phase}): ${r.status}${r.error ? ` — ${r.error}` : ''}`);
    }
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};
