/**
 * `npm run bench:data`: ingest rate and peak memory of a MIMIC-III-scale DIAGNOSES_ICD.csv
 * (651,047 rows, as in the full database), plain and gzip. The file comes from the cohort
 * simulator; each ingest runs in a fresh child process so its peak RSS is its own.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { readDataset } from '../readers/read-dataset';
import { simulateCohort } from '../simulate';

const TARGET_ROWS = 651_047; // DIAGNOSES_ICD rows in full MIMIC-III v1.4
const DEMO_DICTIONARY = path.resolve(__dirname, '../../../../../data/mimic-iii-demo/D_ICD_DIAGNOSES.csv');

interface ChildResult {
  rows: number;
  records: number;
  codes: number;
  seconds: number;
  peakRssMb: number;
  baselineRssMb: number;
}

async function child(dir: string): Promise<void> {
  const baselineRssMb = process.resourceUsage().maxRSS / 1024;
  const start = process.hrtime.bigint();
  const ds = await readDataset({ format: 'mimic', input: dir });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const result: ChildResult = {
    rows: ds.stats.rows,
    records: ds.matrix.rows,
    codes: ds.matrix.cols,
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    baselineRssMb,
  };
  process.stdout.write(JSON.stringify(result));
}

/** Copies simulated diagnosis rows into `out` until it holds exactly TARGET_ROWS rows. */
async function writeExactRows(source: string, out: string): Promise<void> {
  const ws = createWriteStream(out);
  ws.write('row_id,subject_id,hadm_id,seq_num,icd9_code\n');
  let written = 0;
  for (let pass = 0; written < TARGET_ROWS; pass++) {
    const rl = createInterface({ input: createReadStream(source) });
    let header = true;
    let buffer = '';
    for await (const line of rl) {
      if (header) {
        header = false;
        continue;
      }
      if (written >= TARGET_ROWS) break;
      const [, subject, hadm, seq, code] = line.split(',');
      // later passes shift ids so repeated rows are new patients, not duplicates
      const shift = pass * 10_000_000;
      buffer += `${written + 1},${Number(subject) + shift},${Number(hadm) + shift},${seq},${code}\n`;
      written++;
      if (buffer.length > 1 << 20) {
        if (!ws.write(buffer)) await new Promise<void>((r) => ws.once('drain', () => r()));
        buffer = '';
      }
    }
    ws.write(buffer);
  }
  await new Promise<void>((resolve, reject) => ws.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]);
  const work = mkdtempSync(path.join(tmpdir(), 'fedsynth-bench-data-'));
  try {
    process.stderr.write('simulating a MIMIC-scale cohort (46,520 patients, 1,071 codes)…\n');
    const cohort = await simulateCohort({
      outDir: path.join(work, 'cohort'),
      patients: 46_520,
      codes: 1071,
      sites: 1,
      holdoutFraction: 0,
      seed: 1,
      dictionaryPath: DEMO_DICTIONARY,
    });
    const plainDir = path.join(work, 'plain');
    const gzipDir = path.join(work, 'gzip');
    mkdirSync(plainDir);
    mkdirSync(gzipDir);
    const plain = path.join(plainDir, 'DIAGNOSES_ICD.csv');
    await writeExactRows(path.join(cohort.outDir, 'site-1', 'DIAGNOSES_ICD.csv'), plain);
    await pipeline(createReadStream(plain), createGzip(), createWriteStream(path.join(gzipDir, 'DIAGNOSES_ICD.csv.gz')));

    const rows: string[] = [];
    for (const [label, dir, file] of [
      ['plain', plainDir, plain],
      ['gzip', gzipDir, path.join(gzipDir, 'DIAGNOSES_ICD.csv.gz')],
    ] as const) {
      const sizeMb = statSync(file).size / 1e6;
      const runs: ChildResult[] = [];
      for (let i = 0; i < 3; i++) {
        const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--child', dir], { encoding: 'utf8' });
        runs.push(JSON.parse(out) as ChildResult);
      }
      runs.sort((a, b) => a.seconds - b.seconds);
      const best = runs[1]; // median of three
      const peak = Math.max(...runs.map((r) => r.peakRssMb));
      rows.push(
        `${label.padEnd(6)} ${String(best.rows).padStart(8)} ${sizeMb.toFixed(1).padStart(8)} ${best.seconds.toFixed(3).padStart(8)} ` +
          `${Math.round(best.rows / best.seconds).toLocaleString('en-US').padStart(11)} ${(sizeMb / best.seconds).toFixed(0).padStart(6)} ` +
          `${peak.toFixed(0).padStart(9)} ${best.baselineRssMb.toFixed(0).padStart(9)}   ${best.records} records × ${best.codes} codes`,
      );
    }
    process.stdout.write(
      `\nbench:data — readDataset --format mimic on a simulated ${TARGET_ROWS.toLocaleString('en-US')}-row DIAGNOSES_ICD (median of 3 runs, each in a fresh process)\n` +
        `file     rows       MB   seconds      rows/s   MB/s  peak RSS  baseline\n` +
        rows.join('\n') +
        `\n\ntargets: ≥ 500,000 rows/s, peak memory < 1 GB (RSS in MB; baseline = RSS after loading modules)\n`,
    );
    const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 || true"], { encoding: 'utf8' }).trim();
    process.stdout.write(`machine: ${cpu}, node ${process.version}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:data failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
