import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FedsynthError } from '@fedsynth/gan';
import type { Command, Io } from '../command';
import { ChildProcesses } from '../demo/child-processes';
import { DEMO_OPTIONS, DEMO_PLAN, demoSettings, MAX_DEMO_SITES, type DemoSettings } from '../demo/demo-settings';
import { demoPaths, prepareWorkspace, type DemoPaths } from '../demo/demo-workspace';
import { ODBL_NOTICE } from '../demo/odbl-notice';
import { runDemo, type DemoResult } from '../demo/run-demo';
import { untilSignal } from './signals';
import { findBundledDictionary } from './simulate.command';

const HELP = `Usage: fedsynth demo [--out DIR] [--sites N] [--patients N] [--port P] [options]

A federated run from start to finish on this machine, every part a real process:
  1. splits the bundled MIMIC-III demo (100 patients) into N site folders and a 20% holdout
     (or, with --patients, simulates a cohort of that size with 'fedsynth simulate')
  2. registers each site on a new coordinator ('fedsynth coordinator add-site'), starts the
     coordinator on 127.0.0.1 and one 'fedsynth site' agent per site
  3. runs a short medGAN plan (${DEMO_PLAN.aeRounds} autoencoder + ${DEMO_PLAN.ganRounds} GAN rounds, ${DEMO_PLAN.localEpochs} local epochs each)
  4. pulls the final generator, samples 1,000 synthetic patients to CSV and writes the quality
     report ('fedsynth pull', 'sample', 'evaluate')
  5. prints the paths, and stops everything it started (also on Ctrl-C or SIGTERM)
Every process's output is shown with its name, e.g. [site-2], and kept in DIR/logs/NAME.log.
A random admin token is made for each demo (in DIR/admin-token, for the dashboard's login).

Options:
  --out DIR                  work folder (default: out/demo); an earlier demo's folder is replaced,
                             any other non-empty folder is refused
  --sites N                  hospitals, 1..${MAX_DEMO_SITES} (default: 3; at most 8 for the 100-patient demo)
  --patients N               a simulated cohort of N patients instead of the bundled demo
  --port P                   coordinator port (default: 0, any free port)
  --ae-rounds N              autoencoder rounds (default: ${DEMO_PLAN.aeRounds})
  --gan-rounds N             GAN rounds (default: ${DEMO_PLAN.ganRounds})
  --local-epochs N           local epochs per round at each site (default: ${DEMO_PLAN.localEpochs})
  --keep-running             leave the coordinator and sites up afterwards, to browse the
                             dashboard; Ctrl-C stops them

Writes DIR/synthetic.csv (long: patient,code), DIR/generator/ (TensorFlow.js model.json +
weights, fedsynth.json), DIR/report/report.html and report.json, DIR/data/ (site folders,
holdout, train), DIR/coordinator/ (database, checkpoints), DIR/logs/ and DIR/NOTICE.md.

Examples:
  npm run demo                                  (builds, then runs this)
  fedsynth demo --out /tmp/demo --keep-running
  fedsynth demo --patients 20000 --sites 5 --gan-rounds 20
`;

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
const SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as NodeJS.Signals[];

/** Raised when a signal stops the demo part-way. */
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`${signal} received`);
  }
}

/** The CLI entry point the children run: dist/main.js beside this file's folder. */
function cliEntryPoint(): string {
  const main = path.resolve(__dirname, '..', 'main.js');
  if (!existsSync(main)) {
    throw new FedsynthError(`the demo runs the built CLI (${main}), which is missing: run 'npm run build' first (npm run demo does)`, 'DEMO_NOT_BUILT');
  }
  return main;
}

function bundledDemoFolder(): string {
  const dictionary = findBundledDictionary(__dirname);
  if (!dictionary) throw new FedsynthError('the bundled data/mimic-iii-demo folder was not found above this installation; use --patients N for a simulated cohort', 'DEMO_NO_DATA');
  return path.dirname(dictionary);
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

function summary(settings: DemoSettings, paths: DemoPaths, result: DemoResult, elapsedMs: number): string {
  // Short paths when the work folder is under the current one (the default out/demo).
  const relative = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r === '' ? '.' : r.startsWith('..') || path.isAbsolute(r) ? p : r;
  };
  const patients = settings.samples - result.emptyRecords;
  const lines = [
    '',
    `fedsynth demo finished in ${seconds(elapsedMs)}: run ${result.runId}, ${settings.sites} sites, ${settings.aeRounds} autoencoder + ${settings.ganRounds} GAN rounds`,
    `  synthetic patients  ${relative(paths.synthetic)}  (${settings.samples.toLocaleString('en-US')} sampled, long layout patient,code${result.emptyRecords > 0 ? `; ${result.emptyRecords} with no code have no row, ${patients} listed` : ''})`,
    `  generator           ${relative(paths.generator)}/  (TensorFlow.js: tf.loadLayersModel('file://${path.join(paths.generator, 'model.json')}'))`,
    `  quality report      ${relative(path.join(paths.report, 'report.html'))}  (data: ${relative(path.join(paths.report, 'report.json'))})`,
    `  site data           ${relative(paths.data)}/  (${result.folders.map((f) => `${f.name} ${f.patients.toLocaleString('en-US')}`).join(', ')})`,
    `  coordinator data    ${relative(paths.coordinator)}/  (SQLite database, checkpoints)`,
    `  logs                ${relative(paths.logs)}/`,
    `  dashboard           ${result.dashboardUrl}  (admin token in ${relative(paths.adminToken)})${settings.keepRunning ? '' : '; stopped with the demo, --keep-running keeps it up'}`,
  ];
  if (settings.patients === undefined) lines.push('', `Data licence: see ${relative(paths.notice)} (ODbL v1.0; the synthetic records derive from the MIMIC-III demo).`);
  return lines.join('\n') + '\n';
}

export const demoCommand: Command = {
  path: ['demo'],
  summary: 'Run a whole federation on this machine: coordinator, sites, training, samples, report',
  help: HELP,
  options: DEMO_OPTIONS,
  async run(values, positionals, io) {
    const settings = demoSettings(values, positionals);
    const main = cliEntryPoint();
    const bundledData = settings.patients === undefined ? bundledDemoFolder() : '';
    const paths = demoPaths(settings.out);
    await prepareWorkspace(paths);
    if (settings.patients === undefined) await writeFile(paths.notice, ODBL_NOTICE);

    const say = (line: string) => io.err(`[demo] ${line}\n`);
    const children = new ChildProcesses({ command: process.execPath, baseArgs: [main], write: (line) => io.err(`${line}\n`), logDir: paths.logs });
    // The synchronous last resort: whatever way this process ends, no child outlives it.
    const onExit = () => children.killAllNow();
    let interrupt!: (signal: NodeJS.Signals) => void;
    const interruption = new Promise<never>((_, reject) => {
      interrupt = (signal) => reject(new Interrupted(signal));
    });
    interruption.catch(() => undefined);
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        io.err(`[demo] ${signal} again: killing every process now\n`);
        children.killAllNow();
        process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
      }
      signalled = true;
      say(`${signal} received: stopping every process the demo started (again to kill at once)`);
      interrupt(signal);
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
    process.on('exit', onExit);

    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      say('stopping the coordinator and site agents');
      await children.stopAll();
      say('all demo processes stopped');
    };

    const started = performance.now();
    say(`work folder ${paths.root}`);
    try {
      const flow = runDemo({
        settings,
        paths,
        children,
        bundledData,
        say,
        onCoordinatorReady: (url) => say(`coordinator at ${url}; dashboard ${url}/dashboard (sign in with the token in ${paths.adminToken})`),
      });
      flow.catch(() => undefined); // a race loser's later rejection is expected, not unhandled
      const result = await Promise.race([flow, interruption, children.serviceFailure]);
      const elapsed = performance.now() - started;
      if (settings.keepRunning) {
        io.out(summary(settings, paths, result, elapsed));
        say(`the coordinator and sites keep running: ${result.dashboardUrl}; Ctrl-C stops them`);
        for (const signal of SIGNALS) process.off(signal, onSignal);
        await Promise.race([untilSignal(), children.serviceFailure]);
        await stop();
      } else {
        // Stopped first, so the summary is the last thing on the screen.
        await stop();
        io.out(summary(settings, paths, result, elapsed));
      }
      return 0;
    } catch (error) {
      if (error instanceof Interrupted) {
        say(`interrupted after ${seconds(performance.now() - started)}; partial results stay in ${paths.root}`);
        return SIGNAL_EXIT_CODES[error.signal] ?? 1;
      }
      throw error;
    } finally {
      await stop();
      for (const signal of SIGNALS) process.off(signal, onSignal);
      process.off('exit', onExit);
    }
  },
};
