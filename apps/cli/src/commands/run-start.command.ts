import type { Command } from '../command';
import { ADMIN_HELP, AdminClient, runIdArgument } from './admin-api';
import { describeRun, type RunRecordView } from './run-status.command';

const HELP = `Usage: fedsynth run start RUN_ID --coordinator URL

Starts a created run, or resumes a stopped one (POST /api/runs/:id/start). Training begins as
soon as enough sites are connected; follow it with 'fedsynth run wait'.

Options:
  --coordinator URL          coordinator base URL, e.g. http://localhost:8080 (required)

${ADMIN_HELP}

Examples:
  fedsynth run start 3f2c9a4e-... --coordinator http://localhost:8080
`;

export const runStartCommand: Command = {
  path: ['run', 'start'],
  summary: 'Start (or resume) a federated run',
  help: HELP,
  options: { coordinator: { type: 'string' }, ca: { type: 'string' } },
  async run(values, positionals, io) {
    const id = runIdArgument(positionals, 'fedsynth run start RUN_ID --coordinator URL');
    const client = AdminClient.from(values);
    const run = await client.json<RunRecordView>('POST', `/api/runs/${encodeURIComponent(id)}/start`);
    io.out(`Started run ${run.id}: ${describeRun(run, run.status)}\n`);
    return 0;
  },
};
