import type { Io } from './command';

/** An Io that records what a command writes, for tests. */
export function captureIo(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
    interactive: false,
    stdout: () => out,
    stderr: () => err,
  };
}
