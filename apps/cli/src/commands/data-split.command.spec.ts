import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readDataset } from '@fedsynth/gan';
import { runCli } from '../run-cli';
import { captureIo } from '../test-io';

const DEMO_DIR = path.join(__dirname, '../../../../data/mimic-iii-demo');
let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fedsynth-data-split-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('fedsynth data split', () => {
  it('deals every patient of the bundled demo to three site folders when nothing is held out', async () => {
    const out = path.join(root, 'thirds');
    const r = await cli('data', 'split', '--input', DEMO_DIR, '--sites', '3', '--holdout-fraction', '0', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['site-1', 'site-2', 'site-3']);
    expect(r.out).toMatch(/^Split 100 patients of .*mimic-iii-demo \(seed 1\):\n {2}site-1 +34 patients /);
    const records = await Promise.all(['site-1', 'site-2', 'site-3'].map(async (s) => (await readDataset({ format: 'mimic', input: path.join(out, s) })).recordIds));
    expect(records.map((r) => r.length)).toEqual([34, 33, 33]);
    expect(new Set(records.flat()).size).toBe(100);
  });

  it('holds out a share by default, refuses non-empty folders without --force, and rewrites them with it', async () => {
    const out = path.join(root, 'holdout');
    expect((await cli('data', 'split', '--input', DEMO_DIR, '--out', out)).code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['holdout', 'site-1', 'site-2', 'site-3']);
    const again = await cli('data', 'split', '--input', DEMO_DIR, '--out', out);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`${path.join(out, 'site-1')} is not empty; pass --force to write into it`);
    expect((await cli('data', 'split', '--input', DEMO_DIR, '--out', out, '--force')).code).toBe(0);
  });

  it.each([
    [['--out', '/tmp/x'], '--input DIR is required'],
    [['--input', DEMO_DIR], '--out DIR is required'],
    [['--input', DEMO_DIR, '--out', '/tmp/x', '--holdout-fraction', '1'], "--holdout-fraction must be a number from 0 up to (not including) 1, got '1'"],
    [['--input', DEMO_DIR, '--out', '/tmp/x', '--sites', '0'], "--sites must be a whole number from 1 to 1000, got '0'"],
  ])('refuses %j', async (args, message) => {
    const r = await cli('data', 'split', ...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('names a folder that is not MIMIC-III', async () => {
    const notMimic = path.join(root, 'not-mimic');
    await mkdir(notMimic);
    await writeFile(path.join(notMimic, 'notes.txt'), 'x');
    const r = await cli('data', 'split', '--input', notMimic, '--out', path.join(root, 'o'));
    expect(r.err).toContain(`${notMimic}: no DIAGNOSES_ICD.csv (or .csv.gz): not a MIMIC-III folder`);
  });
});
