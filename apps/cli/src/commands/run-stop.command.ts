import type { Command } from '../command';
import { ADMIN_HELP, AdminClient, runIdArgument } from './admin-api';
import { describeRun, type RunRecordView } from './run-status.command';

const HELP = `Usage: fedsynth run stop RUN_ID --coordinator URL

Stops a created or running run (POST /api/runs/:id/stop). A round in progress is abandoned;
the completed rounds and their checkpoints are kept, and 'fedsynth run start RUN_ID' resumes
the run from its last completed round. A completed or failed run cannot be stopped.

Options:
  --coordinator URL          coordinator base URL, e.g. http://localhost:8080 (required)

${ADMIN_HELP}

Examples:
  fedsynth run stop 3f2c9a4e-... --coordinator http://localhost:8080
`;

export const runStopCommand: Command = {
  path: ['run', 'stop'],
  summary: 'Stop a run; completed rounds are kept and it can be started again',
  help: HELP,
  options: { coordinator: { type: 'string' }, ca: { type: 'string' } },
  async run(values, positionals, io) {
    const id = runIdArgument(positionals, 'fedsynth run stop RUN_ID --coordinator URL');
    const client = AdminClient.from(values);
    const run = await client.json<RunRecordView>('POST', `/api/runs/${encodeURIComponent(id)}/stop`);
    io.out(`Stopped run ${run.id}: ${describeRun(run, run.status)}\n`);
    return 0;
  },
};
