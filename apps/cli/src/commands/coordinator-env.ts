import { FedsynthError } from '@fedsynth/gan';
import path from 'node:path';
import type { OptionValues } from '../command';
import { integerOption, stringOption } from './data-options';

/**
 * The environment the coordinator's config is read from, with the command-line flags laid
 * over FEDSYNTH_PORT / FEDSYNTH_DATA_DIR: flags win, so one shell can run several coordinators.
 */
export function coordinatorEnvironment(values: OptionValues, env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...env };
  if (values.port !== undefined) merged.FEDSYNTH_PORT = String(integerOption(values, 'port', 8080, 0, 65_535));
  const dataDir = stringOption(values, 'data-dir');
  if (dataDir !== undefined) {
    if (dataDir.trim() === '') throw new FedsynthError('--data-dir must not be empty', 'CLI_BAD_OPTION');
    merged.FEDSYNTH_DATA_DIR = dataDir;
  }
  return merged;
}

/**
 * The coordinator's database file for the admin commands that write it directly (add-site,
 * revoke-site): --data-dir, else FEDSYNTH_DATA_DIR, else ./fedsynth-data, as the coordinator
 * itself resolves it. Only the data folder matters here: the admin token and port are the
 * running server's business.
 */
export function coordinatorDatabasePath(values: OptionValues, env: NodeJS.ProcessEnv = process.env): string {
  const dataDir = coordinatorEnvironment(values, env).FEDSYNTH_DATA_DIR?.trim() || './fedsynth-data';
  return path.join(dataDir, 'coordinator.sqlite');
}

/**
 * The coordinator's own errors (ConfigError listing every bad variable, SITE_EXISTS, ...) are
 * the user's to fix: rethrown as FedsynthError so the CLI prints the message without a stack.
 * Matched by shape, not class, so this module needs no runtime import of the coordinator.
 */
export function asUserError(error: unknown, codes?: readonly string[]): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as Error & { code?: unknown }).code;
  const isCoordinatorError = typeof code === 'string' && (error.name === 'ConfigError' || error.name === 'CoordinatorError');
  if (isCoordinatorError && (codes === undefined || codes.includes(code))) return new FedsynthError(error.message, code);
  return error;
}
