import { FedsynthError } from '@fedsynth/gan';
import type { Command } from '../command';
import { ADMIN_HELP, AdminClient } from './admin-api';
import { stringOption } from './data-options';
import { totalRoundsOf, type RunRecordView } from './run-status.command';

/** GET /api/runs rows: a run record with its options (model family, strategy). */
export type RunListItem = RunRecordView & { options?: { modelFamily?: unknown } };

const STATUSES = ['created', 'running', 'stopped', 'completed', 'failed'] as const;

const HELP = `Usage: fedsynth run list --coordinator URL [--status STATUS] [--json]

Lists the coordinator's runs, oldest first (GET /api/runs): id, status, model family, the
current phase and round (of the plan's total), and when each was created (UTC).

Options:
  --coordinator URL          coordinator base URL, e.g. http://localhost:8080 (required)
  --status STATUS            only runs in this status: ${STATUSES.join(' | ')}
  --json                     print the runs as returned by the coordinator

${ADMIN_HELP}

Examples:
  fedsynth run list --coordinator http://localhost:8080
  fedsynth run list --coordinator http://localhost:8080 --status running --json | jq -r '.[].id'
`;

/** "2025-01-31 14:05:09" (UTC): sortable, and the same on every admin's machine. */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** "gan 3/7": the phase and 1-based round of the plan's total; "-" before the first round. */
export function phaseAndRound(run: RunRecordView): string {
  if (run.currentRound === null) return '-';
  return `${run.currentPhase ?? '?'} ${run.currentRound + 1}/${totalRoundsOf(run)}`;
}

function modelOf(run: RunListItem): string {
  const family = run.options?.modelFamily;
  return typeof family === 'string' ? family : '?';
}

/** The runs as a left-aligned table with a header row; a note when there are none. */
export function formatRunTable(runs: readonly RunListItem[]): string {
  if (runs.length === 0) return 'No runs.\n';
  const rows = [['ID', 'STATUS', 'MODEL', 'PHASE/ROUND', 'CREATED (UTC)'], ...runs.map((r) => [r.id, r.status, modelOf(r), phaseAndRound(r), utcTime(r.createdAt)])];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]))).join('  ')).join('\n') + '\n';
}

export const runListCommand: Command = {
  path: ['run', 'list'],
  summary: 'List runs: id, status, model, phase/round, created',
  help: HELP,
  options: { coordinator: { type: 'string' }, ca: { type: 'string' }, status: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new FedsynthError(`run list takes no arguments, got: ${positionals.join(' ')}`, 'CLI_BAD_ARGUMENT');
    const status = stringOption(values, 'status');
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) {
      throw new FedsynthError(`--status must be one of ${STATUSES.join(', ')}, got '${status}'`, 'CLI_BAD_OPTION');
    }
    const client = AdminClient.from(values);
    const runs = (await client.json<RunListItem[]>('GET', '/api/runs')).filter((r) => status === undefined || r.status === status);
    io.out(values.json === true ? JSON.stringify(runs, null, 2) + '\n' : formatRunTable(runs));
    return 0;
  },
};
