import { DEFAULT_PHASES, DEFAULT_RUN_OPTIONS } from '@fedsynth/coordinator';
import { FedsynthError } from '@fedsynth/gan';
import type { Command, OptionValues } from '../command';
import { ADMIN_HELP, AdminClient } from './admin-api';
import { integerOption, numberOption, stringOption } from './data-options';
import { RUN_DP_HELP, RUN_DP_OPTIONS, runDpFrom, runMarginalsFrom } from './federated-dp-options';
import { readRunVocabulary } from './run-vocabulary-file';
import { RUN_SECAGG_HELP, RUN_SECAGG_OPTIONS, runSecAggFrom } from './secure-aggregation-options';

/** The coordinator's default rounds per phase: the CLI always sends the phases, so it must use the same. */
const DEFAULT_ROUNDS = {
  autoencoder: DEFAULT_PHASES.find((p) => p.phase === 'autoencoder')?.rounds ?? 0,
  gan: DEFAULT_PHASES.find((p) => p.phase === 'gan')?.rounds ?? 0,
};
const TRAIN = DEFAULT_RUN_OPTIONS.train;

const HELP = `Usage: fedsynth run create --coordinator URL [options]

Creates a federated training run on the coordinator (POST /api/runs) and prints its id. The
run does not train until 'fedsynth run start ID'. Options left out take the coordinator's
defaults (its FEDSYNTH_MIN_SITES, FEDSYNTH_ROUND_DEADLINE_MS, FEDSYNTH_MAX_ROUND_RETRIES).
The coordinator checks the whole request and lists every problem at once.

Options:
  --coordinator URL          coordinator base URL, e.g. http://localhost:8080 (required)
  --model medgan             model family (default: medgan)
  --ae-rounds N              autoencoder (pre-training) rounds (default: ${DEFAULT_ROUNDS.autoencoder}; 0 skips them)
  --gan-rounds N             GAN rounds (default: ${DEFAULT_ROUNDS.gan})
  --min-sites N              quorum: accepted site results needed to aggregate a round
  --deadline-ms MS           time allowed for one round attempt
  --max-retries N            retries of a failed round before the run fails
  --evaluate-every N         score the global generator at the sites after every N-th GAN round
                             (on their held-out records; 0: never, the default)
  --site-wait S              fail a started run if fewer than --min-sites sites connect within S
                             seconds (default: wait as long as it takes)
  --strategy NAME            fedavg | fedadam | fednova | fedmedian | fedtrimmedmean (default: fedavg)
  --server-momentum B        fedavg only: server momentum β in [0, 1) on the averaged update
                             (FedAvgM; default 0, plain FedAvg)
  --server-learning-rate H   fedavg, fednova: server step size on the averaged update (default 1)
  --local-epochs N           local epochs per round at each site (default: ${TRAIN.localEpochs})
  --local-steps N            instead of whole epochs: N minibatches per round at each site, the
                             same number at every site whatever its size (FedAvg's local steps)
  --batch-size N             local batch size (default: ${TRAIN.batchSize})
  --learning-rate X          local Adam learning rate (default: ${TRAIN.learningRate})
  --seed N                   seed of the initial weights and site tasks (default: 1)
  --generator-average DECAY  export and evaluate the moving average of the global generator
                             over the GAN rounds, decay per round in [0, 1); 0 exports the last
                             round as it is (default: ${DEFAULT_RUN_OPTIONS.generatorAverage?.decay})
  --code-level LEVEL         category (3-character ICD-9, sites use --rollup) | full (default: category)
  --min-code-count K         vocabulary: codes held by at least K records at a site (default: 5)
  --vocabulary FILE          a fixed vocabulary instead of the sites' union: a vocabulary file
                             (one code per line, as 'fedsynth data inspect --save-vocabulary'
                             writes) or a dictionary CSV (icd9_code or code column, rolled up at
                             --code-level category); sites drop their codes outside it
  --latent-dim N             medGAN latent size (default: the model's)
${RUN_DP_HELP}
${RUN_SECAGG_HELP}
  --json                     print the created run as JSON instead of its id

${ADMIN_HELP}

Examples:
  export FEDSYNTH_ADMIN_TOKEN=...
  fedsynth run create --coordinator http://localhost:8080 --model medgan --min-sites 3
  fedsynth run create --coordinator http://localhost:8080 --ae-rounds 2 --gan-rounds 10 --local-epochs 2 --strategy fedadam
  fedsynth run create --coordinator http://localhost:8080 --vocabulary categories.txt
  fedsynth run create --coordinator http://localhost:8080 --min-sites 3 --secure-aggregation --secagg-threshold 2
  RUN=$(fedsynth run create --coordinator http://localhost:8080) && fedsynth run start "$RUN" --coordinator http://localhost:8080
`;

/** A positive decimal number option (learning rates are not integers). */
function positiveNumberOption(values: OptionValues, name: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new FedsynthError(`--${name} must be a number greater than 0, got '${raw}'`, 'CLI_BAD_OPTION');
  }
  return n;
}

/** Only options given on the command line are sent, so the coordinator's defaults stay authoritative. */
function optionalInteger(values: OptionValues, name: string, min: number, max?: number): number | undefined {
  return values[name] === undefined ? undefined : integerOption(values, name, 0, min, max);
}

function defined<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The POST /api/runs body ({ plan?, options? }, as apps/coordinator's RoundService.createRun reads it). */
export function runCreateBody(values: OptionValues): { plan: Record<string, unknown>; options: Record<string, unknown> } {
  const model = stringOption(values, 'model') ?? 'medgan';
  const codeLevel = stringOption(values, 'code-level');
  if (codeLevel !== undefined && codeLevel !== 'category' && codeLevel !== 'full') {
    throw new FedsynthError(`--code-level must be category or full, got '${codeLevel}'`, 'CLI_BAD_OPTION');
  }
  const aeRounds = integerOption(values, 'ae-rounds', DEFAULT_ROUNDS.autoencoder, 0, 100_000);
  const ganRounds = integerOption(values, 'gan-rounds', DEFAULT_ROUNDS.gan, 0, 100_000);
  if (aeRounds + ganRounds === 0) throw new FedsynthError('--ae-rounds and --gan-rounds are both 0: a run needs at least one round', 'CLI_BAD_OPTION');
  // The plan is merged over the coordinator's defaults field by field, so phases are always
  // sent whole (a zero-round phase is dropped: it would do nothing).
  const phases = [
    { phase: 'autoencoder', rounds: aeRounds },
    { phase: 'gan', rounds: ganRounds },
  ].filter((p) => p.rounds > 0);
  const plan = defined({
    phases,
    minSites: optionalInteger(values, 'min-sites', 1),
    roundDeadlineMs: optionalInteger(values, 'deadline-ms', 1),
    maxRoundRetries: optionalInteger(values, 'max-retries', 0),
    evaluateEvery: optionalInteger(values, 'evaluate-every', 0),
    siteWaitMs: values['site-wait'] === undefined ? undefined : integerOption(values, 'site-wait', 0, 1, 30 * 86_400) * 1000,
  });
  const train = defined({
    localEpochs: optionalInteger(values, 'local-epochs', 1),
    localSteps: optionalInteger(values, 'local-steps', 1),
    batchSize: optionalInteger(values, 'batch-size', 1),
    learningRate: positiveNumberOption(values, 'learning-rate'),
    seed: optionalInteger(values, 'seed', 0),
  });
  const vocabulary = defined({ codeLevel, minCodeCount: optionalInteger(values, 'min-code-count', 1) });
  const architecture = defined({ latentDim: optionalInteger(values, 'latent-dim', 1) });
  const strategy = stringOption(values, 'strategy');
  const options: Record<string, unknown> = { modelFamily: model, train, vocabulary, model: architecture };
  const serverStep = defined({ serverMomentum: numberOption(values, 'server-momentum', (n) => n >= 0 && n < 1, 'in [0, 1)'), serverLearningRate: positiveNumberOption(values, 'server-learning-rate') });
  if (strategy !== undefined || Object.keys(serverStep).length > 0) {
    const name = strategy ?? 'fedavg';
    if (serverStep.serverMomentum !== undefined && name !== 'fedavg') {
      throw new FedsynthError(`--server-momentum belongs to --strategy fedavg, not ${name}`, 'CLI_BAD_OPTION');
    }
    if (serverStep.serverLearningRate !== undefined && name !== 'fedavg' && name !== 'fednova') {
      throw new FedsynthError(`--server-learning-rate belongs to --strategy fedavg or fednova, not ${name}`, 'CLI_BAD_OPTION');
    }
    options.strategy = { name, ...serverStep };
  }
  const dp = runDpFrom(values);
  if (dp) options.dp = dp;
  const marginals = runMarginalsFrom(values, dp !== undefined);
  if (marginals) options.marginals = marginals;
  const secureAggregation = runSecAggFrom(values);
  if (secureAggregation) options.secureAggregation = secureAggregation;
  const decay = stringOption(values, 'generator-average');
  if (decay !== undefined) {
    const n = Number(decay);
    if (decay.trim() === '' || !(n >= 0 && n < 1)) throw new FedsynthError(`--generator-average must be a decay in [0, 1) (0 turns the average off), got '${decay}'`, 'CLI_BAD_OPTION');
    options.generatorAverage = { decay: n };
  }
  return { plan, options };
}

/**
 * runCreateBody, plus the fixed vocabulary of --vocabulary FILE read and checked here: a bad
 * file fails naming its line before the token or the network are used.
 */
export async function runCreateRequest(values: OptionValues): Promise<{ plan: Record<string, unknown>; options: Record<string, unknown> }> {
  const body = runCreateBody(values);
  const file = stringOption(values, 'vocabulary');
  if (file === undefined) return body;
  if (values['min-code-count'] !== undefined) {
    throw new FedsynthError('--min-code-count applies only to the union vocabulary; drop it or --vocabulary', 'CLI_BAD_OPTION');
  }
  const vocabulary = body.options.vocabulary as { codeLevel?: 'category' | 'full' };
  const fixed = await readRunVocabulary(file, vocabulary.codeLevel ?? DEFAULT_RUN_OPTIONS.vocabulary.codeLevel);
  return { ...body, options: { ...body.options, vocabulary: { ...vocabulary, fixed } } };
}

export const runCreateCommand: Command = {
  path: ['run', 'create'],
  summary: 'Create a federated training run on the coordinator and print its id',
  help: HELP,
  options: {
    coordinator: { type: 'string' },
    ca: { type: 'string' },
    model: { type: 'string' },
    'ae-rounds': { type: 'string' },
    'gan-rounds': { type: 'string' },
    'min-sites': { type: 'string' },
    'deadline-ms': { type: 'string' },
    'max-retries': { type: 'string' },
    'evaluate-every': { type: 'string' },
    'site-wait': { type: 'string' },
    strategy: { type: 'string' },
    'server-momentum': { type: 'string' },
    'server-learning-rate': { type: 'string' },
    'local-epochs': { type: 'string' },
    'local-steps': { type: 'string' },
    'batch-size': { type: 'string' },
    'learning-rate': { type: 'string' },
    'generator-average': { type: 'string' },
    seed: { type: 'string' },
    'code-level': { type: 'string' },
    'min-code-count': { type: 'string' },
    vocabulary: { type: 'string' },
    'latent-dim': { type: 'string' },
    ...RUN_DP_OPTIONS,
    ...RUN_SECAGG_OPTIONS,
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new FedsynthError(`unexpected argument '${positionals[0]}' (run create takes options only)`, 'CLI_BAD_ARGUMENT');
    // Validate every flag before asking for the token or the network.
    const body = await runCreateRequest(values);
    const client = AdminClient.from(values);
    const run = await client.json<{ id: string; plan: { phases: { phase: string; rounds: number }[]; minSites: number } }>('POST', '/api/runs', body);
    if (values.json === true) {
      io.out(JSON.stringify(run, null, 2) + '\n');
    } else {
      // The id alone on stdout, so scripts can capture it; the explanation goes to stderr.
      io.out(`${run.id}\n`);
      const phases = run.plan.phases.map((p) => `${p.rounds} ${p.phase}`).join(' + ');
      io.err(`Created run ${run.id} (${phases} rounds, quorum ${run.plan.minSites}). Start it with: fedsynth run start ${run.id} --coordinator ${client.baseUrl}\n`);
    }
    return 0;
  },
};
