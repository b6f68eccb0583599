import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The bundled MIMIC-III demo (ODbL, see its README). */
export const DEMO_DIR = resolve(__dirname, '../../../../data/mimic-iii-demo');

/**
 * Splits the demo's diagnoses by patient into `count` long CSVs (patient,code), one per
 * simulated hospital: patient i of the sorted ids goes to site i mod count.
 */
export function writeDemoSites(dir: string, count: number): string[] {
  const lines = readFileSync(join(DEMO_DIR, 'DIAGNOSES_ICD.csv'), 'utf8').trim().split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.replace(/"/g, '').trim().toLowerCase());
  const subject = header.indexOf('subject_id');
  const code = header.indexOf('icd9_code');
  const rows = lines.slice(1).map((line) => line.split(',').map((cell) => cell.replace(/"/g, '').trim()));
  const patients = [...new Set(rows.map((r) => r[subject]))].sort((a, b) => Number(a) - Number(b));
  const siteOf = new Map(patients.map((p, i) => [p, i % count]));
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, site) => {
    const path = join(dir, `site-${site}.csv`);
    const body = rows.filter((r) => siteOf.get(r[subject]) === site && r[code] !== '').map((r) => `${r[subject]},${r[code]}`);
    writeFileSync(path, ['patient,code', ...body].join('\n') + '\n');
    return path;
  });
}
