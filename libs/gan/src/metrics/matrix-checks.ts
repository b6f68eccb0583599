import type { BinaryMatrix } from '../data/binary-matrix';
import { FedsynthError } from '../errors/fedsynth-error';

/**
 * Metrics compare columns position by position, so every matrix must use the same vocabulary;
 * a width mismatch means the inputs were read against different vocabularies.
 */
export function assertSameColumns(named: Record<string, BinaryMatrix>): void {
  const entries = Object.entries(named);
  const [firstName, first] = entries[0];
  for (const [name, m] of entries.slice(1)) {
    if (m.cols !== first.cols) {
      throw new FedsynthError(
        `${name} has ${m.cols} codes but ${firstName} has ${first.cols}: read all inputs against one vocabulary`,
        'METRICS_VOCABULARY_MISMATCH',
      );
    }
  }
}

/** A metric needs at least `min` records in each named matrix. */
export function assertMinRows(named: Record<string, BinaryMatrix>, min: number): void {
  for (const [name, m] of Object.entries(named)) {
    if (m.rows < min) {
      throw new FedsynthError(`${name} has ${m.rows} records; at least ${min} are needed`, 'METRICS_TOO_FEW_RECORDS');
    }
  }
}
