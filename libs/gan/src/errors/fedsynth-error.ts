/**
 * An error meant for the person running fedsynth: its message names what was wrong
 * (file, line, column, value) and the CLI prints it without a stack trace.
 */
export class FedsynthError extends Error {
  constructor(
    message: string,
    /** A stable machine-readable code, e.g. `DATA_MISSING_COLUMN`. */
    readonly code: string = 'FEDSYNTH_ERROR',
  ) {
    super(message);
    this.name = 'FedsynthError';
  }
}

/** A problem in an input file, located by path and (1-based) line number. */
export class DataError extends FedsynthError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
    code = 'DATA_INVALID',
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`, code);
    this.name = 'DataError';
  }
}
