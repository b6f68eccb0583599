import path from 'node:path';
import { runCli } from './run-cli';
import { captureIo } from './test-io';
import type { CommandEntry } from './command';
import { FedsynthError } from '@fedsynth/gan';

const fake: CommandEntry[] = [
  {
    path: ['data', 'inspect'],
    summary: 'inspect',
    load: async () => ({
      path: ['data', 'inspect'],
      summary: 'inspect',
      help: 'Usage: fedsynth data inspect',
      options: { n: { type: 'string' }, flag: { type: 'boolean' } },
      async run(values, _p, io) {
        if (values.n === 'bad') throw new FedsynthError('input.csv:3: broken');
        if (values.n === 'crash') throw new Error('boom');
        io.out(`n=${String(values.n)} flag=${String(values.flag)}\n`);
      },
    }),
  },
  { path: ['simulate'], summary: 'simulate a cohort', load: async () => { throw new Error('not loaded'); } },
];

describe('runCli', () => {
  it('lists every command with its summary on --help', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io, fake)).toBe(0);
    expect(io.stdout()).toMatch(/data inspect\s+inspect/);
    expect(io.stdout()).toMatch(/simulate\s+simulate a cohort/);
  });

  it('shows usage and exits 2 with no command', async () => {
    const io = captureIo();
    expect(await runCli([], io, fake)).toBe(2);
    expect(io.stdout()).toMatch(/Usage: fedsynth <command>/);
  });

  it("prints a command's own help", async () => {
    const io = captureIo();
    expect(await runCli(['data', 'inspect', '--help'], io, fake)).toBe(0);
    expect(io.stdout()).toBe('Usage: fedsynth data inspect\n');
  });

  it('parses options and runs the command', async () => {
    const io = captureIo();
    expect(await runCli(['data', 'inspect', '--n', '3', '--flag'], io, fake)).toBe(0);
    expect(io.stdout()).toBe('n=3 flag=true\n');
  });

  it('names unknown commands, incomplete groups and unknown options', async () => {
    let io = captureIo();
    expect(await runCli(['trian'], io, fake)).toBe(2);
    expect(io.stderr()).toMatch(/unknown command 'trian'/);
    io = captureIo();
    expect(await runCli(['data'], io, fake)).toBe(2);
    expect(io.stderr()).toMatch(/expected a subcommand: data inspect/);
    io = captureIo();
    expect(await runCli(['data', 'inspect', '--nope'], io, fake)).toBe(2);
    expect(io.stderr()).toMatch(/fedsynth data inspect: .*--nope.*\nRun 'fedsynth data inspect --help'/);
  });

  it('prints input errors without a stack (exit 2) and crashes with one (exit 1)', async () => {
    let io = captureIo();
    expect(await runCli(['data', 'inspect', '--n', 'bad'], io, fake)).toBe(2);
    expect(io.stderr()).toBe('fedsynth data inspect: error: input.csv:3: broken\n');
    io = captureIo();
    expect(await runCli(['data', 'inspect', '--n', 'crash'], io, fake)).toBe(1);
    expect(io.stderr()).toMatch(/unexpected failure: Error: boom\n\s+at /);
  });
});

describe('fedsynth data inspect', () => {
  const demo = path.resolve(__dirname, '../../../data/mimic-iii-demo');

  it('prints records, codes, rows and top codes with descriptions for the demo', async () => {
    const io = captureIo();
    expect(await runCli(['data', 'inspect', '--input', demo, '--top', '5'], io)).toBe(0);
    const text = io.stdout();
    expect(text).toMatch(/records\s+100\n/);
    expect(text).toMatch(/codes \(vocabulary\)\s+581 /);
    expect(text).toMatch(/input rows\s+1,761/);
    expect(text).toMatch(/codes per record\s+mean 14\.89, median 12\.0, min 3, max 85/);
    expect(text).toMatch(/1\s+4019\s+36\s+36\.0%\s+Hypertension NOS/);
    expect(text).toMatch(/files read: DIAGNOSES_ICD\.csv, PATIENTS\.csv, ADMISSIONS\.csv; descriptions from D_ICD_DIAGNOSES\.csv/);
  });

  it('prints JSON for admissions rolled up to categories', async () => {
    const io = captureIo();
    expect(await runCli(['data', 'inspect', '--input', demo, '--unit', 'admission', '--rollup', '--json', '--top', '3'], io)).toBe(0);
    const json = JSON.parse(io.stdout());
    expect(json.records).toBe(129);
    expect(json.codes).toBe(275);
    expect(json.topCodes).toHaveLength(3);
    expect(json.topCodes[0].description).toBeDefined();
  });

  it('names a wrong input and bad options', async () => {
    let io = captureIo();
    expect(await runCli(['data', 'inspect', '--input', '/nonexistent/folder'], io)).toBe(2);
    expect(io.stderr()).toMatch(/\/nonexistent\/folder: no DIAGNOSES_ICD\.csv/);
    io = captureIo();
    expect(await runCli(['data', 'inspect', '--input', demo, '--format', 'parquet'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--format must be one of mimic, long, wide, got 'parquet'/);
    io = captureIo();
    expect(await runCli(['data', 'inspect', '--input', demo, '--min-count', 'two'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--min-count must be a whole number from 1/);
    io = captureIo();
    expect(await runCli(['data', 'inspect'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--input is required/);
  });
});
