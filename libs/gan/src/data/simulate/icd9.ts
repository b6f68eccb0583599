import { icd9Category } from '../icd9-rollup';

/**
 * ICD-9-CM code shapes, as MIMIC-III stores them (no dot): numeric `4019`, supplementary
 * `V4581`, external-cause `E8788`. Roll-up categories come from ../icd9-rollup, the same
 * function the readers use, so simulated clusters match what `rollup` produces.
 */

/** One dictionary entry, as in D_ICD_DIAGNOSES.csv. */
export interface Icd9Entry {
  readonly rowId: number;
  readonly code: string;
  readonly shortTitle: string;
  readonly longTitle: string;
}

/**
 * The ICD-9-CM chapter (e.g. `390-459` circulatory), used to make simulated comorbidity
 * groups clinically coherent: a group draws most of its codes from one or two chapters.
 */
export function icd9Chapter(code: string): string {
  if (code.startsWith('V')) return 'V';
  if (code.startsWith('E')) return 'E';
  const n = Number(code.slice(0, 3));
  for (const [low, high] of CHAPTERS) if (n >= low && n <= high) return `${pad3(low)}-${pad3(high)}`;
  return 'other';
}

const CHAPTERS: readonly (readonly [number, number])[] = [
  [1, 139], [140, 239], [240, 279], [280, 289], [290, 319], [320, 389], [390, 459], [460, 519],
  [520, 579], [580, 629], [630, 679], [680, 709], [710, 739], [740, 759], [760, 779], [780, 799],
  [800, 999],
];

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

/** `4019` → `401.9`, `E8788` → `E878.8`: the printed form, for synthesized titles. */
export function dottedIcd9(code: string): string {
  const head = icd9Category(code);
  return code.length > head.length ? `${head}.${code.slice(head.length)}` : head;
}

/**
 * An ICD-9-shaped dictionary for when no real D_ICD_DIAGNOSES.csv is at hand: every category
 * (001–999, V01–V91, E800–E999) with ten 4th-digit codes (12,900 codes), then 5th-digit codes
 * as needed to reach `minCodes`. Titles say the code is simulated.
 */
export function synthesizeIcd9Dictionary(minCodes: number): Icd9Entry[] {
  const categories: string[] = [];
  for (let n = 1; n <= 999; n++) categories.push(pad3(n));
  for (let n = 1; n <= 91; n++) categories.push(`V${String(n).padStart(2, '0')}`);
  for (let n = 800; n <= 999; n++) categories.push(`E${n}`);

  const codes: string[] = [];
  for (const category of categories) for (let d = 0; d <= 9; d++) codes.push(`${category}${d}`);
  outer: for (const category of categories) {
    for (let d = 0; d <= 9; d++) {
      for (let e = 0; e <= 9; e++) {
        if (codes.length >= minCodes) break outer;
        codes.push(`${category}${d}${e}`);
      }
    }
  }
  return codes.map((code, i) => ({
    rowId: i + 1,
    code,
    shortTitle: `Simulated dx ${dottedIcd9(code)}`,
    longTitle: `Simulated diagnosis ${dottedIcd9(code)} (no real ICD-9 title available)`,
  }));
}
