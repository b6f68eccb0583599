import { FedsynthError } from '@fedsynth/gan';
import { runSiteAgent, type SiteAgentEvent } from '@fedsynth/site-agent';
import type { Command, Io, OptionValues } from '../command';
import { coordinatorUrl } from './admin-api';
import { CA_HELP, caOption } from './coordinator-ca';
import { untilSignal } from './signals';
import { DATA_INPUT_HELP, DATA_INPUT_OPTIONS, integerOption, readOptionsFrom, stringOption } from './data-options';
import { SITE_DP_HELP, SITE_DP_OPTIONS, siteBudgetFrom } from './federated-dp-options';

/** Lets the token come from the environment, so it need not appear in shell history or `ps`. */
export const SITE_TOKEN_VARIABLE = 'FEDSYNTH_SITE_TOKEN';

const HELP = `Usage: fedsynth site --coordinator URL --site ID --token TOKEN --input PATH [options]

Runs this hospital's site agent: reads the local records, connects to the coordinator, agrees
the vocabulary and trains the model locally on every task of a run, sending back only weights
and aggregate losses. No record, id or row leaves this machine. Runs until Ctrl-C (SIGINT) or
SIGTERM; a dropped connection is retried with backoff. Exits with status 2 and the reason if
the coordinator revokes or no longer accepts this site's token. Progress lines go to stderr.

Site:
  --coordinator URL          coordinator base URL, e.g. https://coordinator.example.org:8080
${CA_HELP}
  --site ID                  this site's id, as printed by 'fedsynth coordinator add-site'
  --token TOKEN              this site's token (or set ${SITE_TOKEN_VARIABLE} instead)
  --holdout F                share of records kept out of training for evaluation (default: 0.2)
  --split-seed N             seed of the holdout split (default: 1; keep it fixed between starts)
  --min-code-count K         announce only codes held by at least K training records (default: 5)
  --eval-min-records N       refuse evaluation tasks when the training or held-out split has fewer
                             than N records (default: 20; aggregates over fewer say too much about
                             each patient, lower it only for demonstration data)
  --share-code-counts        join runs with pooled marginal matching: send, once per run, how
                             many training records hold each of the run's codes (exact, small
                             counts included; off by default; refused with a privacy budget)

${SITE_DP_HELP}
${DATA_INPUT_HELP}
  (the coordinator's runs default to 3-character codes: use --rollup for them)

Examples:
  fedsynth site --coordinator http://localhost:8080 --site hospital-a --token "$TOKEN" \\
      --input data/site-1 --rollup
  FEDSYNTH_SITE_TOKEN=... fedsynth site --coordinator http://coord:8080 --site hospital-b \\
      --format long --input conditions.csv --record-column PATIENT --code-column CODE --holdout 0.1
`;

/** Strictly between 0 and 1, as the holdout split requires; checked here for a message naming the flag. */
export function holdoutOption(values: OptionValues): number {
  const raw = stringOption(values, 'holdout');
  if (raw === undefined) return 0.2;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new FedsynthError(`--holdout must be a fraction between 0 and 1 (exclusive), e.g. 0.2, got '${raw}'`, 'CLI_BAD_OPTION');
  }
  return n;
}

const fixed = (n: number | undefined, digits = 4) => (n === undefined || !Number.isFinite(n) ? '?' : n.toFixed(digits));

/** One stderr line per notable event; epoch logs only (step logs would flood a terminal). */
export function describeSiteEvent(event: SiteAgentEvent): string | undefined {
  switch (event.type) {
    case 'connected':
      return 'connected to the coordinator';
    case 'disconnected':
      return `disconnected (${event.reason})${event.reconnecting ? '; reconnecting' : ''}`;
    case 'stopped':
      return `stopping: ${event.message}`;
    case 'vocabulary':
      return `run ${event.runId}: ${event.source} vocabulary agreed, ${event.size} codes, ${event.coveredRecords} records covered; ${event.dropped.codes} codes of this site dropped (outside it)`;
    case 'trainStarted':
      return `run ${event.runId}: round ${event.round + 1} (${event.phase}) training`;
    case 'trainLog': {
      const log = event.log;
      if (log.kind !== 'epoch') return undefined;
      const losses = log.phase === 'autoencoder' ? `ae ${fixed(log.losses.ae)}` : `d ${fixed(log.losses.d)} g ${fixed(log.losses.g)}`;
      return `  ${log.phase} epoch ${log.epoch}/${log.epochs}: ${losses}, ${Math.round(log.recordsPerSec)} records/s`;
    }
    case 'resultSent':
      return `round ${event.result.round + 1}: update sent${event.result.privacy ? ` (privacy spent so far: ε = ${event.result.privacy.epsilon.toFixed(3)}, δ = ${event.result.privacy.delta})` : ''}`;
    case 'taskRefused':
      return `run ${event.runId}: round ${event.round + 1} refused (${event.code}): ${event.reason}`;
    case 'resultRejected':
      return `round ${event.round + 1}: update rejected by the coordinator (${event.code}: ${event.reason})`;
    case 'evalStarted':
      return `run ${event.runId}: round ${event.round + 1} evaluating the global generator on the held-out records`;
    case 'evalSent':
      return `round ${event.result.round + 1}: evaluation sent (${event.result.recordCount} held-out records, ${Object.keys(event.result.metrics).length} aggregate metrics)`;
    case 'evalFailed':
      return `round ${event.round + 1}: evaluation failed (${event.code}: ${event.reason})`;
    case 'error':
      return `error: ${event.message}`;
  }
}

function stamp(io: Io, line: string): void {
  io.err(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export const siteCommand: Command = {
  path: ['site'],
  summary: 'Run a hospital site agent: train locally for the coordinator',
  help: HELP,
  options: {
    ...DATA_INPUT_OPTIONS,
    coordinator: { type: 'string' },
    ca: { type: 'string' },
    site: { type: 'string' },
    token: { type: 'string' },
    holdout: { type: 'string' },
    'split-seed': { type: 'string' },
    'min-code-count': { type: 'string' },
    'eval-min-records': { type: 'string' },
    'share-code-counts': { type: 'boolean' },
    ...SITE_DP_OPTIONS,
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new FedsynthError(`unexpected argument '${positionals[0]}'`, 'CLI_BAD_ARGUMENT');
    // Cheap checks first, before reading what may be a large data set.
    const url = coordinatorUrl(values);
    const ca = caOption(values);
    const siteId = stringOption(values, 'site');
    if (!siteId) throw new FedsynthError("--site ID is required (the id printed by 'fedsynth coordinator add-site')", 'CLI_MISSING_OPTION');
    const token = stringOption(values, 'token') ?? process.env[SITE_TOKEN_VARIABLE]?.trim();
    if (!token) throw new FedsynthError(`--token is required (or set ${SITE_TOKEN_VARIABLE}): the token printed by 'fedsynth coordinator add-site'`, 'CLI_MISSING_TOKEN');
    const holdoutFraction = holdoutOption(values);
    const splitSeed = integerOption(values, 'split-seed', 1, 0);
    const minCodeCount = integerOption(values, 'min-code-count', 5, 1);
    const evalMinRecords = integerOption(values, 'eval-min-records', 20, 2);
    const privacy = siteBudgetFrom(values);
    const read = await readOptionsFrom(values);

    stamp(io, `site ${siteId}: reading ${read.input} (${read.format}) and connecting to ${url}`);
    let agent;
    try {
      agent = await runSiteAgent({
        url,
        ...(ca ? { ca } : {}),
        siteId,
        token,
        data: { read, holdoutFraction, splitSeed, minCodeCount },
        evaluation: { minRecords: evalMinRecords },
        ...(privacy ? { privacy } : {}),
        ...(values['share-code-counts'] === true ? { shareCodeCounts: true } : {}),
        log: (line) => stamp(io, line),
        onEvent: (event) => {
          const line = describeSiteEvent(event);
          if (line) stamp(io, line);
        },
      });
    } catch (error) {
      if (error instanceof FedsynthError) throw error;
      // A refused handshake (UNAUTHORIZED, UNSUPPORTED_VERSION) or an unreachable coordinator is
      // the operator's to fix: its message says what, a stack would not.
      throw new FedsynthError(`cannot join ${url}: ${(error as Error).message}`, 'CLI_SITE_REFUSED');
    }
    stamp(io, 'site agent running; press Ctrl-C to stop');
    const signals = new AbortController();
    const outcome = await Promise.race([untilSignal(signals.signal).then((signal) => ({ signal })), agent.stopped.then((stop) => ({ stop }))]);
    signals.abort();
    // Revoked or refused on a reconnection: nothing more to do here until the operator has a new token.
    if ('stop' in outcome) throw new FedsynthError(outcome.stop.message, 'CLI_SITE_REFUSED');
    stamp(io, `${outcome.signal} received; disconnecting`);
    await agent.close();
    return 0;
  },
};
