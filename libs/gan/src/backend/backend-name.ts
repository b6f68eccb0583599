import { FedsynthError } from '../errors/fedsynth-error';

/** The TensorFlow.js backends fedsynth knows how to run on, fastest first. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;

export type BackendName = (typeof BACKEND_NAMES)[number];

/** The environment variable that forces a backend instead of picking the fastest available one. */
export const BACKEND_ENV_VAR = 'FEDSYNTH_BACKEND';

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * The backend named by `FEDSYNTH_BACKEND`, or undefined when it is unset or blank.
 * A value that names no backend is a usage error, not something to fall back from.
 */
export function backendFromEnv(env: NodeJS.ProcessEnv = process.env): BackendName | undefined {
  const raw = env[BACKEND_ENV_VAR];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = raw.trim().toLowerCase();
  if (isBackendName(value)) return value;
  throw new FedsynthError(
    `${BACKEND_ENV_VAR}='${raw}' is not a TensorFlow.js backend; allowed values: ${BACKEND_NAMES.join(', ')} (or unset it to pick the fastest available)`,
    'BACKEND_INVALID',
  );
}
