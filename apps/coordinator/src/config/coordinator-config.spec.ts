import { ConfigError, loadCoordinatorConfig } from './coordinator-config';

const ADMIN = 'a-long-admin-secret-123';

describe('loadCoordinatorConfig', () => {
  it('fills defaults around the one required variable', () => {
    expect(loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: ADMIN })).toEqual({
      host: '0.0.0.0',
      port: 8080,
      dataDir: './fedsynth-data',
      databasePath: 'fedsynth-data/coordinator.sqlite',
      checkpointDir: 'fedsynth-data/checkpoints',
      adminToken: ADMIN,
      rounds: { deadlineMs: 600_000, minSites: 2, maxRetries: 2, maxRelativeUpdateNorm: 4 },
      maxPayloadBytes: 256 * 1024 * 1024,
      heartbeatIntervalMs: 15_000,
      tls: null,
      rateLimits: { windowMs: 60_000, siteConnections: 60, adminFailures: 20 },
      logLevel: 'log',
    });
  });

  it('reads every variable', () => {
    const config = loadCoordinatorConfig({
      FEDSYNTH_HOST: '127.0.0.1',
      FEDSYNTH_PORT: '0',
      FEDSYNTH_DATA_DIR: '/var/lib/fedsynth',
      FEDSYNTH_ADMIN_TOKEN: ADMIN,
      FEDSYNTH_ROUND_DEADLINE_MS: '30000',
      FEDSYNTH_MIN_SITES: '3',
      FEDSYNTH_MAX_ROUND_RETRIES: '0',
      FEDSYNTH_MAX_UPDATE_NORM: '2.5',
      FEDSYNTH_MAX_PAYLOAD_MB: '0.5',
      FEDSYNTH_HEARTBEAT_MS: '5000',
      FEDSYNTH_TLS_CERT: '/tls/cert.pem',
      FEDSYNTH_TLS_KEY: '/tls/key.pem',
      FEDSYNTH_LOG_LEVEL: 'debug',
      FEDSYNTH_CONNECT_LIMIT: '0',
      FEDSYNTH_AUTH_FAILURE_LIMIT: '5',
      FEDSYNTH_RATE_WINDOW_MS: '10000',
      UNRELATED: 'ignored',
    });

    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      databasePath: '/var/lib/fedsynth/coordinator.sqlite',
      checkpointDir: '/var/lib/fedsynth/checkpoints',
      rounds: { deadlineMs: 30_000, minSites: 3, maxRetries: 0, maxRelativeUpdateNorm: 2.5 },
      maxPayloadBytes: 512 * 1024,
      heartbeatIntervalMs: 5000,
      tls: { certPath: '/tls/cert.pem', keyPath: '/tls/key.pem' },
      rateLimits: { windowMs: 10_000, siteConnections: 0, adminFailures: 5 },
      logLevel: 'debug',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: ADMIN, FEDSYNTH_PORT: '', FEDSYNTH_TLS_CERT: ' ', FEDSYNTH_TLS_KEY: '' })).toMatchObject({
      port: 8080,
      tls: null,
    });
  });

  it('lists every bad variable in one error', () => {
    let error: unknown;
    try {
      loadCoordinatorConfig({
        FEDSYNTH_PORT: '80a',
        FEDSYNTH_ROUND_DEADLINE_MS: '10',
        FEDSYNTH_MIN_SITES: '0',
        FEDSYNTH_MAX_ROUND_RETRIES: '-1',
        FEDSYNTH_MAX_UPDATE_NORM: '0',
        FEDSYNTH_MAX_PAYLOAD_MB: 'lots',
        FEDSYNTH_HEARTBEAT_MS: '1e4',
        FEDSYNTH_LOG_LEVEL: 'trace',
        FEDSYNTH_TLS_KEY: '/tls/key.pem',
        FEDSYNTH_CONNECT_LIMIT: 'many',
        FEDSYNTH_RATE_WINDOW_MS: '5',
      });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'FEDSYNTH_PORT: must be an integer in [0, 65535], got "80a"',
      'FEDSYNTH_ADMIN_TOKEN: required (a secret of at least 16 characters, e.g. `openssl rand -base64 32`)',
      'FEDSYNTH_ROUND_DEADLINE_MS: must be an integer in [1000, 604800000], got "10"',
      'FEDSYNTH_MIN_SITES: must be an integer in [1, 10000], got "0"',
      'FEDSYNTH_MAX_ROUND_RETRIES: must be an integer in [0, 100], got "-1"',
      'FEDSYNTH_MAX_UPDATE_NORM: must be a number in (0, 1000000], got "0"',
      'FEDSYNTH_MAX_PAYLOAD_MB: must be a number in (0, 2048], got "lots"',
      'FEDSYNTH_HEARTBEAT_MS: must be an integer in [1000, 3600000], got "1e4"',
      'FEDSYNTH_LOG_LEVEL: must be one of error, warn, log, debug, verbose, got "trace"',
      'FEDSYNTH_CONNECT_LIMIT: must be an integer in [0, 1000000], got "many"',
      'FEDSYNTH_RATE_WINDOW_MS: must be an integer in [1000, 86400000], got "5"',
      'FEDSYNTH_TLS_CERT: required when FEDSYNTH_TLS_KEY is set (give both for TLS, or neither)',
    ]);
    expect((error as ConfigError).message).toMatch(/^invalid coordinator configuration \(12 problems\):\n {2}FEDSYNTH_PORT/);
  });

  it('describes a short admin token without echoing it', () => {
    const run = () => loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: 'hunter2' });
    expect(run).toThrow('FEDSYNTH_ADMIN_TOKEN: must be at least 16 characters, got 7');
    expect(run).not.toThrow(/hunter2/);
    expect(() => loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: 'sixteen chars ok!' })).toThrow('must not contain whitespace');
  });

  it('needs a key when a certificate is given', () => {
    expect(() => loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: ADMIN, FEDSYNTH_TLS_CERT: '/c.pem' })).toThrow(
      'FEDSYNTH_TLS_KEY: required when FEDSYNTH_TLS_CERT is set',
    );
  });
});
