/** Type guards shared by the run-option checks (run-options.ts and the run-*-options.ts beside it). */

/** A plain object (not null, not an array): the shape of every option group. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number above 0. */
export function positive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
