import { join } from 'node:path';
import { CoordinatorError } from '../errors/coordinator-error';

export type LogLevel = 'error' | 'warn' | 'log' | 'debug' | 'verbose';

/** Everything the coordinator reads from its environment, validated once at start-up. */
export interface CoordinatorConfig {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  dataDir: string;
  /** `<dataDir>/coordinator.sqlite` */
  databasePath: string;
  /** `<dataDir>/checkpoints` */
  checkpointDir: string;
  /** Bearer token of the admin API. A secret: never log it. */
  adminToken: string;
  /** Defaults for new runs (a run's plan may override them). */
  rounds: {
    deadlineMs: number;
    minSites: number;
    maxRetries: number;
    /** validate-update's bound: ‖w − g‖ ≤ this × max(‖g‖, ε). */
    maxRelativeUpdateNorm: number;
  };
  /** Largest message (after chunk reassembly) accepted from a site, in bytes. */
  maxPayloadBytes: number;
  heartbeatIntervalMs: number;
  /** HTTPS and WSS when set; plain HTTP (behind a TLS-terminating proxy) when null. */
  tls: { certPath: string; keyPath: string } | null;
  /**
   * Per client IP, within a sliding `windowMs`: connection attempts to the sites' namespace,
   * and failed admin authentications (REST bearer token, dashboard login). 0 = no limit.
   */
  rateLimits: { windowMs: number; siteConnections: number; adminFailures: number };
  logLevel: LogLevel;
}

/** One message listing every bad variable, so an operator fixes them all in one go. */
export class ConfigError extends CoordinatorError {
  constructor(override readonly problems: readonly string[]) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super(`invalid coordinator configuration (${count}):\n  ${problems.join('\n  ')}`, 'CONFIG_INVALID');
    this.name = 'ConfigError';
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

const MiB = 1024 * 1024;
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/** Every variable read, with its default, for the README and `--help` output. */
export const CONFIG_VARIABLES = Object.freeze({
  FEDSYNTH_HOST: '0.0.0.0',
  FEDSYNTH_PORT: '8080',
  FEDSYNTH_DATA_DIR: './fedsynth-data',
  FEDSYNTH_ADMIN_TOKEN: '(required, ≥ 16 characters)',
  FEDSYNTH_ROUND_DEADLINE_MS: '600000',
  FEDSYNTH_MIN_SITES: '2',
  FEDSYNTH_MAX_ROUND_RETRIES: '2',
  FEDSYNTH_MAX_UPDATE_NORM: '4',
  FEDSYNTH_MAX_PAYLOAD_MB: '256',
  FEDSYNTH_HEARTBEAT_MS: '15000',
  FEDSYNTH_TLS_CERT: '(unset)',
  FEDSYNTH_TLS_KEY: '(unset)',
  FEDSYNTH_CONNECT_LIMIT: '60',
  FEDSYNTH_AUTH_FAILURE_LIMIT: '20',
  FEDSYNTH_RATE_WINDOW_MS: '60000',
  FEDSYNTH_LOG_LEVEL: 'log',
});

/**
 * Reads the variables one by one, collecting problems instead of stopping at the first;
 * an empty value counts as unset (compose files often write `VAR=`).
 */
class EnvironmentReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  text(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, range: { min: number; max: number }): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
      this.problems.push(`${name}: must be an integer in [${range.min}, ${range.max}], got ${JSON.stringify(value)}`);
      return fallback;
    }
    return n;
  }

  number(name: string, fallback: number, range: { above: number; max: number }): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const n = /^[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?$/i.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(n) || n <= range.above || n > range.max) {
      this.problems.push(`${name}: must be a number in (${range.above}, ${range.max}], got ${JSON.stringify(value)}`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!allowed.includes(value as T)) {
      this.problems.push(`${name}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value as T;
  }
}

/**
 * The coordinator's configuration from an environment-like record (`process.env` in
 * production, a literal in tests). Pure: reads nothing else, touches no file. Throws one
 * ConfigError listing every bad variable; secrets are described, never echoed.
 */
export function loadCoordinatorConfig(env: Environment): CoordinatorConfig {
  const read = new EnvironmentReader(env);

  const host = read.text('FEDSYNTH_HOST', '0.0.0.0');
  const port = read.integer('FEDSYNTH_PORT', 8080, { min: 0, max: 65_535 });
  const dataDir = read.text('FEDSYNTH_DATA_DIR', './fedsynth-data');

  const adminToken = read.raw('FEDSYNTH_ADMIN_TOKEN') ?? '';
  if (adminToken === '') {
    read.problems.push('FEDSYNTH_ADMIN_TOKEN: required (a secret of at least 16 characters, e.g. `openssl rand -base64 32`)');
  } else if (adminToken.length < 16) {
    read.problems.push(`FEDSYNTH_ADMIN_TOKEN: must be at least 16 characters, got ${adminToken.length}`);
  } else if (/\s/.test(adminToken)) {
    read.problems.push('FEDSYNTH_ADMIN_TOKEN: must not contain whitespace');
  }

  const deadlineMs = read.integer('FEDSYNTH_ROUND_DEADLINE_MS', 600_000, { min: 1_000, max: 7 * 24 * 3600 * 1000 });
  const minSites = read.integer('FEDSYNTH_MIN_SITES', 2, { min: 1, max: 10_000 });
  const maxRetries = read.integer('FEDSYNTH_MAX_ROUND_RETRIES', 2, { min: 0, max: 100 });
  const maxRelativeUpdateNorm = read.number('FEDSYNTH_MAX_UPDATE_NORM', 4, { above: 0, max: 1e6 });
  const maxPayloadMb = read.number('FEDSYNTH_MAX_PAYLOAD_MB', 256, { above: 0, max: 2048 });
  const heartbeatIntervalMs = read.integer('FEDSYNTH_HEARTBEAT_MS', 15_000, { min: 1_000, max: 3_600_000 });
  const logLevel = read.oneOf('FEDSYNTH_LOG_LEVEL', 'log', LOG_LEVELS);
  const siteConnections = read.integer('FEDSYNTH_CONNECT_LIMIT', 60, { min: 0, max: 1_000_000 });
  const adminFailures = read.integer('FEDSYNTH_AUTH_FAILURE_LIMIT', 20, { min: 0, max: 1_000_000 });
  const windowMs = read.integer('FEDSYNTH_RATE_WINDOW_MS', 60_000, { min: 1_000, max: 24 * 3600 * 1000 });

  const certPath = read.raw('FEDSYNTH_TLS_CERT');
  const keyPath = read.raw('FEDSYNTH_TLS_KEY');
  if ((certPath === undefined) !== (keyPath === undefined)) {
    const [set, unset] = certPath === undefined ? ['FEDSYNTH_TLS_KEY', 'FEDSYNTH_TLS_CERT'] : ['FEDSYNTH_TLS_CERT', 'FEDSYNTH_TLS_KEY'];
    read.problems.push(`${unset}: required when ${set} is set (give both for TLS, or neither)`);
  }

  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return {
    host,
    port,
    dataDir,
    databasePath: join(dataDir, 'coordinator.sqlite'),
    checkpointDir: join(dataDir, 'checkpoints'),
    adminToken,
    rounds: { deadlineMs, minSites, maxRetries, maxRelativeUpdateNorm },
    maxPayloadBytes: Math.floor(maxPayloadMb * MiB),
    heartbeatIntervalMs,
    tls: certPath !== undefined && keyPath !== undefined ? { certPath, keyPath } : null,
    rateLimits: { windowMs, siteConnections, adminFailures },
    logLevel,
  };
}
