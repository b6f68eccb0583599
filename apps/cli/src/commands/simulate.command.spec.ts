import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FedsynthError } from '@fedsynth/gan';
import type { Io, OptionValues } from '../command';
import { runCli } from '../run-cli';
import { findBundledDictionary, simulateCommand } from './simulate.command';

function bufferIo(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    interactive: false,
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
  };
  return io;
}

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fedsynth-simulate-cli-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('simulate command', () => {
  it('writes a small cohort and prints a per-folder summary', async () => {
    const out = join(root, 'small');
    const io = bufferIo();
    const code = await simulateCommand.run({ out, patients: '300', codes: '80', sites: '2', skew: '1', seed: '3' }, [], io);
    expect(code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['cohort.json', 'holdout', 'model.json', 'site-1', 'site-2']);
    expect(io.stdout).toMatch(/^Simulated 300 patients over 2 site\(s\) in [\d.]+ s \(vocabulary 80 codes in \d+ categories; skew 1, seed 3\)/);
    expect(io.stdout).toMatch(/\nsite-1 +\d+/);
    expect(io.stdout).toMatch(/\nholdout +30 /);
    expect(io.stdout).toMatch(/\ntotal +300 /);
    expect(io.stdout).toContain(`Manifest:   ${join(out, 'cohort.json')}`);
    expect(io.stdout).toContain('data/mimic-iii-demo/D_ICD_DIAGNOSES.csv');
    expect(io.stderr).toBe('');
  });

  it('refuses a non-empty --out without --force, and replaces it with --force', async () => {
    const out = join(root, 'twice');
    const values: OptionValues = { out, patients: '50', codes: '40', sites: '1' };
    await simulateCommand.run(values, [], bufferIo());
    await expect(simulateCommand.run(values, [], bufferIo())).rejects.toThrow('pass --force to replace');
    await expect(simulateCommand.run({ ...values, force: true }, [], bufferIo())).resolves.toBe(0);
  });

  it.each([
    [{}, '--out DIR is required'],
    [{ patients: 'many' }, "--patients must be an integer from 1 to 10000000, got 'many'"],
    [{ patients: '1e3' }, "--patients must be an integer from 1 to 10000000, got '1e3'"],
    [{ codes: '1' }, "--codes must be an integer from 2 to 100000, got '1'"],
    [{ sites: '0' }, "--sites must be an integer from 1 to 1000, got '0'"],
    [{ skew: '1.5' }, "--skew must be a number from 0 to 1, got '1.5'"],
    [{ skew: 'high' }, "--skew must be a number from 0 to 1, got 'high'"],
    [{ seed: '-4' }, "--seed must be an integer from 0 to 4294967295, got '-4'"],
    [{ 'holdout-fraction': '1' }, "--holdout-fraction must be a number from 0 to 0.9, got '1'"],
    [{ codes: '20', 'codes-per-patient': '11' }, "--codes-per-patient must be a number from 1 to 10, got '11'"],
    [{ dictionary: '/no/such/dict.csv' }, '--dictionary /no/such/dict.csv: no such file'],
  ])('rejects %p', async (values, message) => {
    // The empty case checks the missing --out itself; the others give a folder that is never made.
    const out = Object.keys(values).length === 0 ? undefined : join(root, 'never');
    await expect(simulateCommand.run({ ...values, out }, [], bufferIo())).rejects.toThrow(FedsynthError);
    await expect(simulateCommand.run({ ...values, out }, [], bufferIo())).rejects.toThrow(message);
    await expect(readdir(join(root, 'never'))).rejects.toThrow('ENOENT');
  });

  it('exits 2 with the message through the CLI runner', async () => {
    const io = bufferIo();
    expect(await runCli(['simulate', '--out', join(root, 'never'), '--skew', '2'], io)).toBe(2);
    expect(io.stderr).toBe("fedsynth simulate: error: --skew must be a number from 0 to 1, got '2'\n");
  });

  it('rejects a positional argument', async () => {
    await expect(simulateCommand.run({ out: join(root, 'x') }, ['extra'], bufferIo())).rejects.toThrow("unexpected argument 'extra'");
  });

  it('finds the bundled dictionary from its own folder', () => {
    expect(findBundledDictionary()).toMatch(/data[\\/]mimic-iii-demo[\\/]D_ICD_DIAGNOSES\.csv$/);
    expect(findBundledDictionary(tmpdir())).toBeUndefined();
  });

  it('documents every option with an example', () => {
    for (const name of Object.keys(simulateCommand.options)) expect(simulateCommand.help).toContain(`--${name}`);
    expect(simulateCommand.help).toContain('Examples:');
  });
});
