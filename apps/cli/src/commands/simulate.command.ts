import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FedsynthError, SIMULATION_DEFAULTS, SIMULATION_LIMITS, simulateCohort, type CohortSummary, type SimulationProgress } from '@fedsynth/gan';
import type { Command, Io, OptionValues } from '../command';

const BUNDLED_DICTIONARY = join('data', 'mimic-iii-demo', 'D_ICD_DIAGNOSES.csv');

const HELP = `Usage: fedsynth simulate --out DIR [options]

Write a simulated multi-hospital cohort in MIMIC-III layout: DIR/site-1 … DIR/site-K and a
pooled DIR/holdout, each with DIAGNOSES_ICD.csv, ADMISSIONS.csv, PATIENTS.csv and
D_ICD_DIAGNOSES.csv, plus DIR/cohort.json (parameters and counts) and DIR/model.json (the
true comorbidity groups and site case mixes). Codes are real ICD-9-CM codes clustered into
3-character categories, with heavy-tailed prevalence, co-occurring disease groups and 1-3
admissions per patient. The same options always give byte-identical files.

Options:
  --out DIR               output folder (required; created if missing)
  --patients N            patients in all, holdout included (default ${SIMULATION_DEFAULTS.patients})
  --codes V               distinct full ICD-9 codes in the vocabulary (default ${SIMULATION_DEFAULTS.codes});
                          they roll up to ~V/3 categories, so ~3300 gives MIMIC-III's 1,071 categories
  --sites K               hospitals, 1..${SIMULATION_LIMITS.maxSites} (default ${SIMULATION_DEFAULTS.sites})
  --skew S                0 = identical sites … 1 = very different case mixes (default ${SIMULATION_DEFAULTS.skew})
  --seed X                integer 0..${SIMULATION_LIMITS.maxSeed} (default ${SIMULATION_DEFAULTS.seed})
  --holdout-fraction F    share of patients in DIR/holdout, 0..${SIMULATION_LIMITS.maxHoldoutFraction}; 0 = no holdout (default ${SIMULATION_DEFAULTS.holdoutFraction})
  --codes-per-patient M   target mean distinct codes per patient, 1..V/2 (default ${SIMULATION_DEFAULTS.codesPerPatient})
  --dictionary FILE       D_ICD_DIAGNOSES.csv to take codes and titles from (default: the bundled
                          data/mimic-iii-demo/D_ICD_DIAGNOSES.csv; ICD-9-shaped codes are
                          synthesized if it cannot be found)
  --force                 replace an earlier simulation in a non-empty DIR (removes its site-N/,
                          holdout/, cohort.json and model.json; other files are kept)

Examples:
  fedsynth simulate --out cohorts/mimic-scale
      46,520 patients × 1,071 codes over 3 sites, MIMIC-III scale
  fedsynth simulate --out /tmp/small --patients 2000 --codes 300 --sites 5 --skew 1 --seed 7
      a small, strongly non-IID federation for quick experiments
`;

/** Integer option, checked against [min, max]; the message names the option and the raw value. */
function integerOption(values: OptionValues, name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const value = /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new FedsynthError(`--${name} must be an integer from ${min} to ${max}, got '${String(raw)}'`, 'CLI_BAD_OPTION');
  }
  return value;
}

/** Decimal option, checked against [min, max]. */
function numberOption(values: OptionValues, name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new FedsynthError(`--${name} must be a number from ${min} to ${max}, got '${String(raw)}'`, 'CLI_BAD_OPTION');
  }
  return value;
}

/** The bundled dictionary, found by walking up from this file to the folder holding data/mimic-iii-demo. */
export function findBundledDictionary(start: string = __dirname): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, BUNDLED_DICTIONARY);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const formatCount = (n: number) => n.toLocaleString('en-US');

/** Progress on stderr: redrawn in place on a terminal, a line per 10% otherwise. */
function progressReporter(io: Io): (p: SimulationProgress) => void {
  let lastDecile = -1;
  return (p) => {
    const percent = Math.floor((100 * p.overallDone) / Math.max(1, p.overallTotal));
    const text = `simulate: ${p.folder} ${formatCount(p.done)}/${formatCount(p.total)} patients, ${percent}% overall`;
    if (io.interactive) {
      io.err(`\r${text}\x1b[K${p.overallDone === p.overallTotal ? '\n' : ''}`);
    } else if (Math.floor(percent / 10) > lastDecile) {
      lastDecile = Math.floor(percent / 10);
      io.err(`${text}\n`);
    }
  };
}

function summaryText(summary: CohortSummary, seconds: number): string {
  const p = summary.parameters;
  const header = ['folder', 'patients', 'admissions', 'diagnosis rows', 'codes/patient', 'distinct codes', 'categories'];
  const rows = summary.folders.map((f) => [
    f.name,
    formatCount(f.patients),
    formatCount(f.admissions),
    formatCount(f.diagnosisRows),
    f.meanCodesPerPatient.toFixed(2),
    formatCount(f.distinctCodes),
    formatCount(f.distinctCategories),
  ]);
  const t = summary.totals;
  rows.push(['total', formatCount(t.patients), formatCount(t.admissions), formatCount(t.diagnosisRows), t.meanCodesPerPatient.toFixed(2), formatCount(t.distinctCodes), formatCount(t.distinctCategories)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const dictionary = summary.dictionary.source === 'file' ? summary.dictionary.path : 'synthesized ICD-9-shaped codes';
  return [
    `Simulated ${formatCount(p.patients)} patients over ${p.sites} site(s) in ${seconds.toFixed(1)} s ` +
      `(vocabulary ${formatCount(summary.vocabulary.codes)} codes in ${formatCount(summary.vocabulary.categories)} categories; skew ${p.skew}, seed ${p.seed})`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `Folders:    ${summary.folders.map((f) => f.dir).join(', ')}`,
    `Manifest:   ${summary.files.cohort}`,
    `True model: ${summary.files.model}`,
    `Dictionary: ${dictionary}`,
    '',
  ].join('\n');
}

export const simulateCommand: Command = {
  path: ['simulate'],
  summary: 'Write a simulated multi-hospital cohort in MIMIC-III layout',
  help: HELP,
  options: {
    out: { type: 'string' },
    patients: { type: 'string' },
    codes: { type: 'string' },
    sites: { type: 'string' },
    skew: { type: 'string' },
    seed: { type: 'string' },
    'holdout-fraction': { type: 'string' },
    'codes-per-patient': { type: 'string' },
    dictionary: { type: 'string' },
    force: { type: 'boolean' },
  },

  async run(values, positionals, io) {
    if (positionals.length > 0) {
      throw new FedsynthError(`unexpected argument '${positionals[0]}'; the output folder goes in --out DIR`, 'CLI_BAD_OPTION');
    }
    const out = values.out;
    if (typeof out !== 'string' || out.trim() === '') {
      throw new FedsynthError('--out DIR is required (the folder to write the cohort to)', 'CLI_BAD_OPTION');
    }
    const L = SIMULATION_LIMITS;
    const D = SIMULATION_DEFAULTS;
    const patients = integerOption(values, 'patients', D.patients, 1, L.maxPatients);
    const codes = integerOption(values, 'codes', D.codes, 2, L.maxCodes);
    const sites = integerOption(values, 'sites', D.sites, 1, L.maxSites);
    const skew = numberOption(values, 'skew', D.skew, 0, 1);
    const seed = integerOption(values, 'seed', D.seed, 0, L.maxSeed);
    const holdoutFraction = numberOption(values, 'holdout-fraction', D.holdoutFraction, 0, L.maxHoldoutFraction);
    const codesPerPatient = numberOption(values, 'codes-per-patient', D.codesPerPatient, 1, codes / 2);

    let dictionaryPath: string | undefined;
    if (typeof values.dictionary === 'string') {
      dictionaryPath = values.dictionary;
      if (!existsSync(dictionaryPath)) throw new FedsynthError(`--dictionary ${dictionaryPath}: no such file`, 'CLI_BAD_OPTION');
    } else {
      dictionaryPath = findBundledDictionary();
      if (dictionaryPath === undefined) {
        io.err(`simulate: warning: bundled ${BUNDLED_DICTIONARY} not found; synthesizing ICD-9-shaped codes (pass --dictionary FILE for real titles)\n`);
      }
    }

    const started = process.hrtime.bigint();
    const summary = await simulateCohort({
      outDir: out,
      patients,
      codes,
      sites,
      skew,
      seed,
      holdoutFraction,
      codesPerPatient,
      dictionaryPath,
      overwrite: values.force === true,
      // Small cohorts finish in well under a second; progress would only be noise.
      onProgress: patients >= 10_000 ? progressReporter(io) : undefined,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    io.out(summaryText(summary, seconds));
    return 0;
  },
};
