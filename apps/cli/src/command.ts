import type { ParseArgsConfig } from 'node:util';

/** Where a command writes: real streams in the CLI, buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal, so progress lines may redraw in place. */
  readonly interactive: boolean;
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** One subcommand: its help text, its options, and what it does. */
export interface Command {
  /** Words after `fedsynth`, e.g. `['data', 'inspect']`. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Full `--help` text (usage line, options, examples). */
  readonly help: string;
  readonly options: OptionSpec;
  run(values: OptionValues, positionals: string[], io: Io): Promise<number | void>;
}

/** Registry entry: the command module is loaded only when it runs (tfjs is slow to load). */
export interface CommandEntry {
  readonly path: readonly string[];
  readonly summary: string;
  load(): Promise<Command>;
}
