import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandEntry } from '../command';
import { runCli } from '../run-cli';
import { captureIo } from '../test-io';
import { sampleCommand } from './sample.command';
import { trainCommand } from './train.command';

const COMMANDS: CommandEntry[] = [
  { path: ['train'], summary: trainCommand.summary, load: async () => trainCommand },
  { path: ['sample'], summary: sampleCommand.summary, load: async () => sampleCommand },
];

/** A long CSV of 96 patients (of 120 numbered; the rest hold no code, so have no row) whose codes come in pairs (A1+A2, B1+B2, …) of falling prevalence. */
function pairedCohortCsv(): string {
  const lines = ['patient,code'];
  const pairs = ['A', 'B', 'C', 'D'];
  for (let p = 0; p < 120; p++) {
    pairs.forEach((name, k) => {
      if ((p * 7 + k * 3) % (k + 2) === 0) lines.push(`P${p},${name}1`, `P${p},${name}2`);
    });
    if (p % 5 === 0) lines.push(`P${p},Z9`);
  }
  return lines.join('\n') + '\n';
}

describe('fedsynth train / sample', () => {
  let dir: string;
  let input: string;
  const previousBackend = process.env.FEDSYNTH_BACKEND;
  beforeAll(async () => {
    // The tiny test models run fastest on the plain cpu backend.
    process.env.FEDSYNTH_BACKEND = 'cpu';
    dir = await mkdtemp(join(tmpdir(), 'fedsynth-train-cli-'));
    input = join(dir, 'cohort.csv');
    await writeFile(input, pairedCohortCsv());
  });
  afterAll(async () => {
    if (previousBackend === undefined) delete process.env.FEDSYNTH_BACKEND;
    else process.env.FEDSYNTH_BACKEND = previousBackend;
    await rm(dir, { recursive: true, force: true });
  });

  it('trains, exports with provenance and held-out metrics, then samples a CSV from the export', async () => {
    const out = join(dir, 'model');
    const io = captureIo();
    const args = ['train', '--format', 'long', '--input', input, '--model', 'medgan', '--epochs', '2', '--pretrain-epochs', '2', '--batch-size', '16', '--holdout-fraction', '0.2', '--out', out];
    expect(await runCli(args, io, COMMANDS)).toBe(0);
    expect(io.stderr()).toMatch(/train: medgan on 77 records × 9 codes \(19 held out\), batch 16, seed 1/);
    expect(io.stderr()).toMatch(/train: gan epoch 2\/2 {2}d [\d.]+ g [\d.]+ {2}[\d,]+ rec\/s {2}ETA 0s/);
    expect(io.stdout()).toMatch(/Trained medgan: 2 autoencoder \+ 2 GAN epochs/);
    expect(io.stdout()).toMatch(/Held-out check \(19 real vs 1000 synthetic records\): prevalence r -?[\d.]+/);
    const manifest = JSON.parse(await readFile(join(out, 'fedsynth.json'), 'utf8'));
    expect(manifest).toMatchObject({
      family: 'medgan',
      vocabulary: { size: 9 },
      training: { records: 96, trainRecords: 77, holdoutRecords: 19, epochs: 2, pretrainEpochs: 2, batchSize: 16, seed: 1, backend: 'cpu', stopped: false, input: { format: 'long' }, generatorAverage: 0.998 },
      metrics: { heldOutPrevalence: { realRecords: 19, syntheticRecords: 1000 } },
    });

    // A second export into the same folder needs --force.
    const again = captureIo();
    expect(await runCli(args, again, COMMANDS)).toBe(2);
    expect(again.stderr()).toMatch(/already holds an exported model; pass --force/);

    const csv = join(dir, 'synthetic.csv');
    const sampled = captureIo();
    expect(await runCli(['sample', '--model', out, '--n', '50', '--out', csv, '--seed', '3'], sampled, COMMANDS)).toBe(0);
    expect(sampled.stdout()).toMatch(/Sampled 50 synthetic records from medgan model .* \(Bernoulli draws\)/);
    const text = await readFile(csv, 'utf8');
    expect(text.startsWith('patient,code\n')).toBe(true);
    for (const line of text.trim().split('\n').slice(1)) expect(line).toMatch(/^synthetic-0000(0[1-9]|[1-4]\d|50),(A1|A2|B1|B2|C1|C2|D1|D2|Z9)$/);

    const wide = join(dir, 'wide.csv');
    expect(await runCli(['sample', '--model', out, '--n', '5', '--out', wide, '--layout', 'wide', '--id-prefix', 'S'], captureIo(), COMMANDS)).toBe(0);
    const wideLines = (await readFile(wide, 'utf8')).trim().split('\n');
    expect(wideLines[0]).toBe('patient,A1,A2,B1,B2,C1,C2,D1,D2,Z9');
    expect(wideLines).toHaveLength(6);
    expect(wideLines[1]).toMatch(/^S000001(,[01]){9}$/);

    // --draw round: the same noise, each probability rounded at the manifest's 0.5.
    const rounded = captureIo();
    expect(await runCli(['sample', '--model', out, '--n', '5', '--out', join(dir, 'rounded.csv'), '--draw', 'round'], rounded, COMMANDS)).toBe(0);
    expect(rounded.stdout()).toMatch(/\(rounded at 0.5\)/);
  });

  it('trains the seed baseline too (no autoencoder phase)', async () => {
    const io = captureIo();
    const out = join(dir, 'seed');
    expect(await runCli(['train', '--format', 'long', '--input', input, '--model', 'seed', '--epochs', '1', '--batch-size', '32', '--out', out], io, COMMANDS)).toBe(0);
    expect(io.stdout()).toMatch(/Trained seed: 0 autoencoder \+ 1 GAN epochs/);
  });

  it('trains under DP-SGD with --dp-* and records the ε spent in the log and in fedsynth.json', async () => {
    const io = captureIo();
    const out = join(dir, 'dp');
    const args = ['train', '--format', 'long', '--input', input, '--model', 'wgan-gp', '--epochs', '1', '--pretrain-epochs', '1'];
    const dpArgs = ['--dp-clip-norm', '1', '--dp-noise-multiplier', '1.2', '--dp-sample-rate', '0.25', '--dp-delta', '1e-4'];
    expect(await runCli([...args, ...dpArgs, '--out', out], io, COMMANDS)).toBe(0);
    expect(io.stderr()).toMatch(/train: wgan-gp on 96 records × 9 codes, DP-SGD \(q 0.25, σ 1.2, C 1; batches of ~24\), seed 1/);
    expect(io.stderr()).toMatch(/train: gan epoch 1\/1 .* ε [\d.]+ \(δ 0.0001\)/);
    expect(io.stdout()).toMatch(/Differential privacy \(DP-SGD\): ε [\d.]+ at δ 0.0001 over 4 autoencoder \+ 4 discriminator steps \(q 0.25, σ 1.2, C 1\)/);
    const manifest = JSON.parse(await readFile(join(out, 'fedsynth.json'), 'utf8'));
    expect(manifest.options.minibatchAveraging).toBe(false);
    expect(manifest.training).toMatchObject({
      batchSize: 24,
      privacy: {
        mechanism: 'dp-sgd',
        sampling: 'poisson',
        clipNorm: 1,
        noiseMultiplier: 1.2,
        sampleRate: 0.25,
        delta: 1e-4,
        steps: { autoencoder: 4, discriminator: 4 },
        secureRandomness: true,
      },
    });
    expect(manifest.training.privacy.epsilon).toBeGreaterThan(0);

    const bad = async (extra: string[]) => {
      const err = captureIo();
      const code = await runCli([...args, '--out', join(dir, 'dp-bad'), ...extra], err, COMMANDS);
      return { code, err: err.stderr() };
    };
    expect(await bad(['--dp-clip-norm', '1'])).toEqual({ code: 2, err: expect.stringMatching(/needs all of --dp-clip-norm, --dp-noise-multiplier and --dp-sample-rate/) });
    expect(await bad([...dpArgs, '--batch-size', '16'])).toEqual({ code: 2, err: expect.stringMatching(/--batch-size cannot be combined with DP training/) });
    expect(await bad(['--dp-clip-norm', '1', '--dp-noise-multiplier', '1', '--dp-sample-rate', '2'])).toEqual({ code: 2, err: expect.stringMatching(/--dp-sample-rate must be a number in \(0, 1\], got '2'/) });
    expect(await bad(['--dp-clip-norm=-1', '--dp-noise-multiplier', '1', '--dp-sample-rate', '0.1'])).toEqual({ code: 2, err: expect.stringMatching(/--dp-clip-norm must be a number > 0, got '-1'/) });
    expect(await bad([...dpArgs.slice(0, 6), '--model', 'seed'])).toEqual({ code: 2, err: expect.stringMatching(/not seed/) });
  });

  it('explains bad options', async () => {
    const run = async (args: string[]) => {
      const io = captureIo();
      const code = await runCli(args, io, COMMANDS);
      return { code, err: io.stderr() };
    };
    expect(await run(['train', '--input', input, '--format', 'long', '--model', 'gan', '--out', dir])).toEqual({ code: 2, err: expect.stringMatching(/--model must be one of seed, medgan, wgan-gp, got 'gan'/) });
    expect(await run(['train', '--input', input, '--format', 'long'])).toEqual({ code: 2, err: expect.stringMatching(/--out is required/) });
    expect(await run(['train', '--input', input, '--format', 'long', '--out', dir, '--holdout-fraction', '1.5'])).toEqual({ code: 2, err: expect.stringMatching(/--holdout-fraction must be a number between 0 and 1/) });
    expect(await run(['sample', '--model', join(dir, 'missing'), '--out', join(dir, 'x.csv')])).toEqual({ code: 2, err: expect.stringMatching(/not an exported fedsynth model/) });
    expect(await run(['sample', '--model', dir, '--out', join(dir, 'x.csv'), '--layout', 'tall'])).toEqual({ code: 2, err: expect.stringMatching(/--layout must be one of long, wide/) });
    expect(await run(['sample', '--model', dir, '--out', join(dir, 'x.csv'), '--draw', 'coin'])).toEqual({ code: 2, err: expect.stringMatching(/--draw must be one of round, bernoulli, got 'coin'/) });
  });

  it('exports the last weights with --average 0, and refuses a decay outside [0, 1)', async () => {
    const out = join(dir, 'model-raw');
    const io = captureIo();
    const args = ['train', '--format', 'long', '--input', input, '--model', 'medgan', '--epochs', '1', '--pretrain-epochs', '1', '--batch-size', '16', '--average', '0', '--out', out];
    expect(await runCli(args, io, COMMANDS)).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'fedsynth.json'), 'utf8'));
    expect(manifest.training.generatorAverage).toBeUndefined();
    const bad = captureIo();
    expect(await runCli(['train', '--format', 'long', '--input', input, '--average', '1', '--out', join(dir, 'never')], bad, COMMANDS)).toBe(2);
    expect(bad.stderr()).toMatch(/--average must be a decay in \[0, 1\) \(0 turns it off\), got '1'/);
  });
});
