import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FedsynthError } from '@fedsynth/gan';
import type { Command } from '../command';
import { ADMIN_HELP, AdminClient } from './admin-api';
import { integerOption, stringOption } from './data-options';

const HELP = `Usage: fedsynth pull --coordinator URL --run RUN_ID --out DIR [--round N]

Downloads the generator of a run's latest completed GAN round (model.json, weights.bin,
fedsynth.json, and state.bin when the coordinator has one) into DIR, ready for
'fedsynth sample --model DIR'. fedsynth.json records the run, round, strategy and
contributing sites. Existing files of the same names in DIR are replaced.

Options:
  --coordinator URL          coordinator base URL, e.g. http://localhost:8080 (required)
  --run RUN_ID               the run (required)
  --out DIR                  folder to write (created if missing; required)
  --round N                  require this round (1-based, as 'run status' shows it): the
                             coordinator serves only the latest completed GAN round, so the
                             pull fails rather than save a different one

${ADMIN_HELP}

Examples:
  fedsynth pull --coordinator http://localhost:8080 --run 3f2c9a4e-... --out models/federated
  fedsynth sample --model models/federated --n 1000 --out synthetic.csv
`;

/** In the order a reader needs them; the manifest last, so a DIR with fedsynth.json is complete. */
const REQUIRED_FILES = ['model.json', 'weights.bin'] as const;
const MANIFEST = 'fedsynth.json';
const OPTIONAL_FILES = ['state.bin'] as const;

interface Manifest {
  metrics?: { federation?: { runId?: string; round?: number; sites?: unknown[] } };
}

function roundOf(manifestBytes: Buffer): number | undefined {
  try {
    return (JSON.parse(manifestBytes.toString('utf8')) as Manifest).metrics?.federation?.round;
  } catch {
    throw new FedsynthError('the coordinator sent a fedsynth.json that is not JSON', 'CLI_BAD_RESPONSE');
  }
}

export const pullCommand: Command = {
  path: ['pull'],
  summary: "Download a run's federated generator for 'fedsynth sample'",
  help: HELP,
  options: {
    coordinator: { type: 'string' },
    ca: { type: 'string' },
    run: { type: 'string' },
    out: { type: 'string' },
    round: { type: 'string' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) throw new FedsynthError(`unexpected argument '${positionals[0]}' (give the run with --run)`, 'CLI_BAD_ARGUMENT');
    const runId = stringOption(values, 'run');
    if (!runId) throw new FedsynthError('--run RUN_ID is required (see fedsynth run create / run status)', 'CLI_MISSING_OPTION');
    const out = stringOption(values, 'out');
    if (!out) throw new FedsynthError('--out DIR is required (the folder to write the generator to)', 'CLI_MISSING_OPTION');
    const wantedRound = values.round === undefined ? undefined : integerOption(values, 'round', 1, 1);
    const client = AdminClient.from(values);
    const base = `/api/runs/${encodeURIComponent(runId)}/generator/`;

    // Everything is fetched into memory first, then the manifest again: the coordinator serves
    // the *latest* round, and a round completing mid-download would otherwise mix two rounds.
    const manifest = (await client.bytes(base + MANIFEST))!;
    const round = roundOf(manifest);
    if (wantedRound !== undefined && round !== wantedRound - 1) {
      throw new FedsynthError(
        `run ${runId}: the latest completed GAN round is ${round === undefined ? 'unknown' : round + 1}, not ${wantedRound}; the coordinator serves only the latest one`,
        'CLI_ROUND_UNAVAILABLE',
      );
    }
    const files = new Map<string, Buffer>();
    for (const name of REQUIRED_FILES) files.set(name, (await client.bytes(base + name))!);
    for (const name of OPTIONAL_FILES) {
      const bytes = await client.bytes(base + name, { optional: true });
      if (bytes) files.set(name, bytes);
    }
    const again = (await client.bytes(base + MANIFEST))!;
    if (!again.equals(manifest)) {
      throw new FedsynthError(`run ${runId} completed a new round during the download; run 'fedsynth pull' again`, 'CLI_RACE');
    }
    files.set(MANIFEST, manifest);

    const dir = path.resolve(out);
    await mkdir(dir, { recursive: true });
    // Write each file beside its target and rename, so an interrupted pull never leaves a
    // truncated weights.bin behind a valid model.json.
    for (const [name, bytes] of files) {
      const target = path.join(dir, name);
      await writeFile(`${target}.partial`, bytes);
      await rename(`${target}.partial`, target);
    }
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    io.out(
      `Pulled run ${runId}, GAN round ${round === undefined ? '?' : round + 1} into ${dir}\n` +
        [...files].map(([name, bytes]) => `  ${name.padEnd(14)} ${kib(bytes.length)}`).join('\n') +
        `\nSample with: fedsynth sample --model ${out} --n 1000 --out synthetic.csv\n`,
    );
    return 0;
  },
};
