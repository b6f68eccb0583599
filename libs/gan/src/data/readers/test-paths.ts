import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The bundled MIMIC-III demo, the default input of tests and the demo. */
export const DEMO_DIR = path.resolve(__dirname, '../../../../../data/mimic-iii-demo');

/** A fresh temporary folder and its cleanup, for tests that write files. */
export function tempDir(prefix = 'fedsynth-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
