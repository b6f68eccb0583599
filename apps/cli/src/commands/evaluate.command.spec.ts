import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FedsynthError } from '@fedsynth/gan';
import { captureIo } from '../test-io';
import { evaluateCommand } from './evaluate.command';

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
