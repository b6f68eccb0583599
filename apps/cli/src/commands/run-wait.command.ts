import type { Command } from '../command';
import { ADMIN_HELP, AdminClient, runIdArgument } from './admin-api';
import { integerOption } from './data-options';
import { describeEvaluation, describeRun, fetchRun, FINAL_STATUSES } from './run-status.command';

const HELP = `Usage: fedsynth run wait RUN_ID --coordinator URL [--interval S] [--timeout S]

Polls a run until it ends, printing a progress line on stderr whenever its stage, phase or
round changes, and one line per finished evaluation round (e.g. "round 4 eval: prevalence
r 0.931, RMSE 0.0123, ..."); an evaluation still running when the run ends is not awaited. Exits 0 when the run completed, 1 when it failed or was stopped, 3 when
--timeout passed first. Transient network errors are retried until the timeout.

Options:
  --coordinator URL          coordinator base URL, e.g. http://localhost:8080 (required)
  --interval S               seconds between polls (default: 5)
  --timeout S                give up after S seconds (default: wait forever)

${ADMIN_HELP}

Examples:
  fedsynth run wait 3f2c9a4e-... --coordinator http://localhost:8080
  fedsynth run wait "$RUN" --coordinator http://localhost:8080 --interval 30 --timeout 86400 && fedsynth pull ...
`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const runWaitCommand: Command = {
  path: ['run', 'wait'],
  summary: 'Wait for a run to end, with progress; non-zero exit if it failed',
  help: HELP,
  options: { coordinator: { type: 'string' }, ca: { type: 'string' }, interval: { type: 'string' }, timeout: { type: 'string' } },
  async run(values, positionals, io) {
    const id = runIdArgument(positionals, 'fedsynth run wait RUN_ID --coordinator URL');
    const intervalMs = integerOption(values, 'interval', 5, 1, 86_400) * 1000;
    const timeoutS = values.timeout === undefined ? undefined : integerOption(values, 'timeout', 0, 1);
    const client = AdminClient.from(values);
    const deadline = timeoutS === undefined ? Infinity : Date.now() + timeoutS * 1000;
    let last = '';
    const reported = new Set<number>();
    for (;;) {
      let detail;
      try {
        detail = await fetchRun(client, id);
      } catch (error) {
        // An HTTP error (unknown run, bad token) will not fix itself; an unreachable coordinator
        // (restarting) may, so only that is retried.
        if ((error as { code?: string }).code !== 'CLI_UNREACHABLE' || Date.now() >= deadline) throw error;
        io.err(`${(error as Error).message}; retrying\n`);
        await sleep(intervalMs);
        continue;
      }
      const stamp = `[${new Date().toISOString().slice(11, 19)}] run ${id}`;
      const line = describeRun(detail.run, detail.stage, detail.completedRounds, detail.sites);
      if (line !== last) {
        io.err(`${stamp}: ${line}\n`);
        last = line;
      }
      for (const evaluation of detail.evaluations ?? []) {
        if (evaluation.status === 'collecting' || reported.has(evaluation.round)) continue;
        reported.add(evaluation.round);
        io.err(`${stamp}: ${describeEvaluation(evaluation)}\n`);
      }
      if (FINAL_STATUSES.has(detail.run.status)) {
        io.out(`${detail.run.status}\n`);
        return detail.run.status === 'completed' ? 0 : 1;
      }
      if (Date.now() + intervalMs > deadline) {
        io.err(`run ${id}: still ${detail.run.status} after --timeout ${timeoutS} s; stopped waiting (the run goes on)\n`);
        return 3;
      }
      await sleep(intervalMs);
    }
  },
};
