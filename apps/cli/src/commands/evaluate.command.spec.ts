import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FedsynthError, readDataset, splitTrainHoldout, writeSyntheticCsv } from '@fedsynth/gan';
import { runCli } from '../run-cli';
import { captureIo } from '../test-io';
import { evaluateCommand } from './evaluate.command';

const DEMO_DIR = join(__dirname, '../../../../data/mimic-iii-demo');

/**
 * A long CSV of (patient, code) pairs: patients in `count` records, codes c0…c29 with a
 * deterministic pattern (code k and k+1 travel together) so every metric has something to see.
 */
function longCsv(prefix: string, count: number, offset: number, extraCode?: string): string {
  const lines = ['patient,code'];
  for (let i = 0; i < count; i++) {
    const base = (i * 11 + offset) % 28;
    for (const k of [base, base + 1, (i * 13 + offset) % 30]) lines.push(`${prefix}${i},c${k}`);
    if (i % 4 === 0) lines.push(`${prefix}${i},c${(i + offset) % 5}`);
  }
  if (extraCode) lines.push(`${prefix}0,${extraCode}`, `${prefix}1,${extraCode}`);
  return lines.join('\n') + '\n';
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fedsynth-evaluate-cli-'));
  await writeFile(join(root, 'train.csv'), longCsv('x', 120, 0));
  await writeFile(join(root, 'holdout.csv'), longCsv('h', 60, 1));
  // Two synthetic records hold a code the training data never had.
  await writeFile(join(root, 'synthetic.csv'), longCsv('s', 60, 2, 'UNSEEN'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('evaluate command', () => {
  it('writes report.json and a self-contained report.html, and prints the verdicts', async () => {
    // Prepare
    const out = join(root, 'report');
    const io = captureIo();
    // Execute
    const code = await evaluateCommand.run(
      {
        format: 'long',
        train: join(root, 'train.csv'),
        holdout: join(root, 'holdout.csv'),
        synthetic: join(root, 'synthetic.csv'),
        out,
        'prediction-codes': '3',
        'mixture-components': '4',
      },
      [],
      io,
    );
    // Assert
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.schema).toBe('fedsynth.quality-report/1');
    expect(report.sources.synthetic).toEqual({ path: join(root, 'synthetic.csv'), records: 60, droppedCodes: 2 });
    expect(report.inputs.train).toMatchObject({ records: 120, codes: 30 });
    expect(report.baselines.bernoulliMixture).not.toBeNull();
    expect(report.plots.labels).toContain('c0');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|<link|src=|href=/);
    expect(io.stdout()).toMatch(/^Evaluated 60 synthetic records against 120 training and 60 held-out records over 30 codes in [\d.]+ s\n/);
    expect(io.stdout()).toMatch(/\nFidelity: (good|fair|poor) — .*\nUtility: .*\nPrivacy: .*\n/);
    expect(io.stdout()).toContain('Note: synthetic: 2 code occurrence(s) outside the training vocabulary were dropped');
    expect(io.stderr()).toContain('evaluate: privacy synthetic');
  });

  it('flags a copy of the training data', async () => {
    const out = join(root, 'copy');
    const io = captureIo();
    await evaluateCommand.run(
      { format: 'long', train: join(root, 'train.csv'), holdout: join(root, 'holdout.csv'), synthetic: join(root, 'train.csv'), out, 'skip-baselines': true, 'prediction-codes': '3' },
      [],
      io,
    );
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.synthetic.privacy.exactCopyRate).toBe(1);
    expect(report.baselines.independentMarginals).toBeNull();
    expect(io.stdout()).toContain('Privacy: poor');
  });

  it.each([
    [{}, '--train is required'],
    [{ train: 'x' }, '--holdout is required'],
    [{ train: 'x', holdout: 'h', synthetic: 's' }, '--out is required'],
    [{ train: 'x', holdout: 'h', synthetic: 's', out: 'o', seed: '-1' }, '--seed must be a whole number'],
  ])('refuses incomplete or bad options %#', async (values, message) => {
    const error = await evaluateCommand.run(values, [], captureIo()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FedsynthError);
    expect((error as Error).message).toContain(message);
  });
});

describe('evaluate with real and synthetic records in different layouts', () => {
  // Synthetic records as 'fedsynth sample' writes them (writeSyntheticCsv, long layout), here
  // holding exact copies of the demo's training records: if the layouts were not read into the
  // same columns, the copies would not be found.
  let demoRoot: string;
  beforeAll(async () => {
    demoRoot = await mkdtemp(join(tmpdir(), 'fedsynth-evaluate-demo-'));
    await writeFile(join(demoRoot, 'refusal.csv'), 'patient,code\nsynthetic-1,401\n');
  });
  afterAll(async () => {
    await rm(demoRoot, { recursive: true, force: true });
  });

  async function cli(...argv: string[]) {
    const io = captureIo();
    const code = await runCli(argv, io);
    return { code, out: io.stdout(), err: io.stderr() };
  }

  it('scores a long synthetic CSV against MIMIC-III data split as fedsynth train splits it', async () => {
    const demo = await readDataset({ format: 'mimic', input: DEMO_DIR, rollup: true });
    const { train, holdout } = splitTrainHoldout(demo, { holdoutFraction: 0.25, seed: 4 });
    const synthetic = join(demoRoot, 'synthetic.csv');
    await writeSyntheticCsv(synthetic, train.matrix, demo.vocabulary, { layout: 'long', idPrefix: 'synthetic-' });
    const out = join(demoRoot, 'report');

    const r = await cli('evaluate', '--input', DEMO_DIR, '--format', 'mimic', '--rollup', '--holdout-fraction', '0.25', '--split-seed', '4', '--synthetic', synthetic, '--synthetic-format', 'long', '--out', out, '--skip-baselines', '--prediction-codes', '5');

    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8'));
    expect(report.sources).toMatchObject({
      format: 'mimic',
      syntheticFormat: 'long',
      split: { holdoutFraction: 0.25, seed: 4 },
      rollup: true,
      train: { records: train.matrix.rows },
      holdout: { records: holdout.matrix.rows, droppedCodes: 0 },
      synthetic: { records: train.matrix.rows, droppedCodes: 0 },
    });
    expect(report.inputs.train).toMatchObject({ records: 75, codes: demo.vocabulary.codes.length });
    expect(report.synthetic.privacy.exactCopyRate).toBe(1);
    expect(r.out).toMatch(/^Evaluated 75 synthetic records against 75 training and 25 held-out records over \d+ codes/);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('split into training and held-out (0.25 held out, seed 4)');
  });

  it('reads --train and --holdout in the real layout and --synthetic in its own', async () => {
    const demo = await readDataset({ format: 'mimic', input: DEMO_DIR, rollup: true });
    const wide = join(demoRoot, 'synthetic-wide.csv');
    await writeSyntheticCsv(wide, demo.matrix, demo.vocabulary, { layout: 'wide', idPrefix: 's-' });

    const r = await cli('evaluate', '--train', DEMO_DIR, '--holdout', DEMO_DIR, '--rollup', '--synthetic', wide, '--synthetic-format', 'wide', '--out', join(demoRoot, 'wide'), '--skip-baselines', '--prediction-codes', '5');

    expect(r.code).toBe(0);
    const report = JSON.parse(await readFile(join(demoRoot, 'wide', 'report.json'), 'utf8'));
    expect(report.sources).toMatchObject({ format: 'mimic', syntheticFormat: 'wide', split: null, synthetic: { records: 100, droppedCodes: 0 } });
    expect(report.synthetic.privacy.exactCopyRate).toBe(1);
  });

  it.each([
    [['--input', DEMO_DIR, '--synthetic', 'SYNTHETIC'], "is a file, but is read as a MIMIC-III folder (--synthetic-format defaults to --format, mimic); 'fedsynth sample' writes a long CSV: add --synthetic-format long"],
    [['--input', DEMO_DIR, '--synthetic', 'SYNTHETIC', '--synthetic-format', 'tsv'], "--synthetic-format must be one of mimic, long, wide, got 'tsv'"],
    [['--input', DEMO_DIR, '--train', DEMO_DIR, '--synthetic', 'SYNTHETIC'], 'give either --input (split here into train and holdout) or --train and --holdout, not both'],
    [['--train', DEMO_DIR, '--holdout', DEMO_DIR, '--holdout-fraction', '0.2', '--synthetic', 'SYNTHETIC'], '--holdout-fraction applies only with --input'],
    [['--input', DEMO_DIR, '--holdout-fraction', '1', '--synthetic', 'SYNTHETIC'], "--holdout-fraction must be a number between 0 and 1 (exclusive), got '1'"],
  ])('refuses mixed-up real and synthetic inputs with exit 2 %#', async (args, message) => {
    const argv = args.map((a) => (a === 'SYNTHETIC' ? join(demoRoot, 'refusal.csv') : a));
    const r = await cli('evaluate', ...argv, '--rollup', '--out', join(demoRoot, 'refused'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});
