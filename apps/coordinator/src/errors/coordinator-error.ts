/**
 * An error meant for the operator of the coordinator: its message names what was wrong
 * (variable, file, tensor, both sides of a mismatch) and `code` is stable for callers.
 *
 * Same shape as libs/gan's FedsynthError. It is not imported from there because
 * `@fedsynth/gan` loads TensorFlow.js at import time, which the coordinator does not need.
 */
export class CoordinatorError extends Error {
  constructor(
    message: string,
    /** A stable machine-readable code, e.g. `LAYOUT_MISMATCH`. */
    readonly code: string = 'COORDINATOR_ERROR',
    options: { cause?: unknown; problems?: readonly string[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CoordinatorError';
    if (options.problems) this.problems = options.problems;
  }

  /** Each problem on its own, when the message lists several (a form shows them by field). */
  readonly problems?: readonly string[];
}
