import path from 'node:path';
import {
  readCodeDescriptions,
  readDataset,
  resolveTable,
  saveVocabulary,
  summarizeDataset,
  type DatasetSummary,
} from '@fedsynth/gan';
import type { Command } from '../command';
import { DATA_INPUT_HELP, DATA_INPUT_OPTIONS, integerOption, readOptionsFrom, stringOption } from './data-options';

const HELP = `Usage: fedsynth data inspect --input PATH [options]

Reads a data set the way training will and prints what it holds: records, codes, diagnosis
rows, codes per record, and the most frequent codes (with descriptions when a dictionary is
found). Only counts are printed, never a patient's record.

${DATA_INPUT_HELP}

Output:
  --top N                    how many of the most frequent codes to list (default: 20)
  --dictionary FILE          code descriptions (default: D_ICD_DIAGNOSES in a mimic folder)
  --save-vocabulary FILE     write the vocabulary (one code per line, with its hash)
  --json                     print the summary as JSON

Examples:
  fedsynth data inspect --input data/mimic-iii-demo
  fedsynth data inspect --format mimic --input data/mimic-iii-demo --unit admission --rollup --json
  fedsynth data inspect --format long --input conditions.csv --record-column PATIENT --code-column CODE
`;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function formatSummary(s: DatasetSummary, heading: string): string {
  const lines = [
    heading,
    `  records               ${fmt(s.records)}`,
    `  codes (vocabulary)    ${fmt(s.codes)}   sha256 ${s.vocabularyHash.slice(0, 16)}…`,
    `  input rows            ${fmt(s.rows)}${s.emptyCodeRows > 0 ? `   (${fmt(s.emptyCodeRows)} with an empty code, skipped)` : ''}`,
  ];
  if (s.droppedCodes > 0) lines.push(`  dropped occurrences   ${fmt(s.droppedCodes)}   (codes outside the vocabulary or below --min-count)`);
  lines.push(
    `  codes per record      mean ${fmt(s.codesPerRecord.mean, 2)}, median ${fmt(s.codesPerRecord.median, 1)}, min ${s.codesPerRecord.min}, max ${s.codesPerRecord.max}`,
    `  records with no code  ${fmt(s.emptyRecords)}`,
    `  matrix density        ${fmt(100 * s.density, 2)}%`,
  );
  if (s.demographics) {
    const d = s.demographics;
    lines.push(`  sex                   F ${d.female}, M ${d.male}${d.unknownSex > 0 ? `, unknown ${d.unknownSex}` : ''}`);
    lines.push(`  age (first admission) ${d.ageMedian === null ? 'unknown' : `median ${fmt(d.ageMedian, 1)} (known for ${d.ageKnown})`}`);
  }
  if (s.topCodes.length > 0) {
    lines.push('', `  Most frequent codes (records holding each):`);
    const codeWidth = Math.max(4, ...s.topCodes.map((c) => c.code.length));
    lines.push(`    ${'#'.padStart(3)}  ${'code'.padEnd(codeWidth)}  ${'records'.padStart(7)}  ${'share'.padStart(6)}  description`);
    s.topCodes.forEach((c, i) => {
      lines.push(
        `    ${String(i + 1).padStart(3)}  ${c.code.padEnd(codeWidth)}  ${fmt(c.records).padStart(7)}  ${(fmt(100 * c.share, 1) + '%').padStart(6)}  ${c.description ?? ''}`.trimEnd(),
      );
    });
  }
  return lines.join('\n') + '\n';
}

export const dataInspectCommand: Command = {
  path: ['data', 'inspect'],
  summary: 'Read a data set and print records, codes and code frequencies',
  help: HELP,
  options: {
    ...DATA_INPUT_OPTIONS,
    top: { type: 'string' },
    dictionary: { type: 'string' },
    'save-vocabulary': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, _positionals, io) {
    const options = await readOptionsFrom(values);
    const top = integerOption(values, 'top', 20, 0, 100_000);
    const ds = await readDataset(options);
    let dictionary = stringOption(values, 'dictionary');
    if (!dictionary && options.format === 'mimic') dictionary = await resolveTable(options.input, 'D_ICD_DIAGNOSES');
    const descriptions = dictionary ? await readCodeDescriptions(path.resolve(dictionary), { rollup: options.rollup ?? false }) : undefined;
    const summary = summarizeDataset(ds, { top, ...(descriptions ? { descriptions } : {}) });
    const saveTo = stringOption(values, 'save-vocabulary');
    if (saveTo) await saveVocabulary(path.resolve(saveTo), ds.vocabulary);
    if (values.json === true) {
      const out = { input: options.input, format: options.format, unit: options.unit ?? 'patient', rollup: options.rollup ?? false, files: ds.stats.files, ...summary };
      io.out(JSON.stringify(out, null, 2) + '\n');
    } else {
      const unit = options.unit ?? 'patient';
      io.out(formatSummary(summary, `${options.input}  (format ${options.format}, one record per ${unit}, ${options.rollup ? '3-character categories' : 'whole codes'})`));
      io.out(`  files read: ${ds.stats.files.map((f) => path.basename(f)).join(', ')}${descriptions ? `; descriptions from ${path.basename(dictionary!)}` : ''}\n`);
      if (saveTo) io.out(`  vocabulary written to ${saveTo}\n`);
    }
    return 0;
  },
};
