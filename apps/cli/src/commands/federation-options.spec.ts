import { FedsynthError } from '@fedsynth/gan';
import { captureIo } from '../test-io';
import { runCli } from '../run-cli';
import { adminToken, coordinatorUrl } from './admin-api';
import { runCreateBody } from './run-create.command';
import { describeSiteEvent, holdoutOption } from './site.command';
import { siteIdFromName } from './coordinator-add-site.command';
import { coordinatorEnvironment } from './coordinator-env';

// Option checks of the federation commands: every one fails before any network or file access.
const TOKEN = 'test-admin-token-0123456789';
const saved = { admin: process.env.FEDSYNTH_ADMIN_TOKEN, site: process.env.FEDSYNTH_SITE_TOKEN };

beforeEach(() => {
  process.env.FEDSYNTH_ADMIN_TOKEN = TOKEN;
  delete process.env.FEDSYNTH_SITE_TOKEN;
});
afterAll(() => {
  for (const [name, value] of [['FEDSYNTH_ADMIN_TOKEN', saved.admin], ['FEDSYNTH_SITE_TOKEN', saved.site]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

async function cli(...argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('coordinator URL and admin token', () => {
  it('accepts http(s) URLs and drops trailing slashes', () => {
    expect(coordinatorUrl({ coordinator: 'http://localhost:8080/' })).toBe('http://localhost:8080');
    expect(coordinatorUrl({ coordinator: 'https://coord.example.org/fed' })).toBe('https://coord.example.org/fed');
  });

  it.each([
    ['localhost:8080', /--coordinator must be an http:\/\/ or https:\/\/ URL/],
    ['not a url', /--coordinator must be a URL such as http:\/\/localhost:8080, got 'not a url'/],
    ['ftp://host', /http:\/\/ or https:\/\//],
    ['http://host/?x=1', /must not have a query/],
  ])('refuses %s', (raw, message) => {
    expect(() => coordinatorUrl({ coordinator: raw })).toThrow(message);
  });

  it('requires --coordinator', () => {
    expect(() => coordinatorUrl({})).toThrow(/--coordinator URL is required/);
  });

  it('reads the token from FEDSYNTH_ADMIN_TOKEN and says how to set it when missing', () => {
    expect(adminToken({ FEDSYNTH_ADMIN_TOKEN: ' abc ' })).toBe('abc');
    expect(() => adminToken({})).toThrow(FedsynthError);
    expect(() => adminToken({ FEDSYNTH_ADMIN_TOKEN: '' })).toThrow(/FEDSYNTH_ADMIN_TOKEN is not set: export the coordinator's admin token/);
  });
});

describe('run commands', () => {
  it('fails with exit 2 and no stack when the admin token is missing', async () => {
    delete process.env.FEDSYNTH_ADMIN_TOKEN;
    for (const argv of [
      ['run', 'create', '--coordinator', 'http://127.0.0.1:9'],
      ['run', 'start', 'r1', '--coordinator', 'http://127.0.0.1:9'],
      ['run', 'status', 'r1', '--coordinator', 'http://127.0.0.1:9'],
      ['run', 'wait', 'r1', '--coordinator', 'http://127.0.0.1:9'],
      ['pull', '--coordinator', 'http://127.0.0.1:9', '--run', 'r1', '--out', 'x'],
    ]) {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toContain('error: FEDSYNTH_ADMIN_TOKEN is not set');
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it('names the bad URL', async () => {
    const r = await cli('run', 'status', 'r1', '--coordinator', 'localhost:8080');
    expect(r.code).toBe(2);
    expect(r.err).toBe("fedsynth run status: error: --coordinator must be an http:// or https:// URL, got 'localhost:8080'\n");
  });

  it('requires exactly one run id', async () => {
    expect((await cli('run', 'start', '--coordinator', 'http://h')).err).toMatch(/a run id is required: fedsynth run start RUN_ID --coordinator URL/);
    expect((await cli('run', 'status', 'a', 'b', '--coordinator', 'http://h')).err).toMatch(/expected one run id, got 2 arguments: a b/);
  });

  it('checks numbers before contacting the coordinator', async () => {
    const r = await cli('run', 'create', '--coordinator', 'http://127.0.0.1:9', '--gan-rounds', 'ten');
    expect(r.code).toBe(2);
    expect(r.err).toContain("--gan-rounds must be a whole number from 0 to 100000, got 'ten'");
    expect((await cli('run', 'create', '--coordinator', 'http://h', '--min-sites', '0')).err).toContain("--min-sites must be a whole number from 1");
    expect((await cli('run', 'create', '--coordinator', 'http://h', '--learning-rate=-1')).err).toContain("--learning-rate must be a number greater than 0, got '-1'");
    expect((await cli('run', 'create', '--coordinator', 'http://h', '--ae-rounds', '0', '--gan-rounds', '0')).err).toContain('a run needs at least one round');
    expect((await cli('run', 'create', '--coordinator', 'http://h', '--code-level', 'icd10')).err).toContain("--code-level must be category or full, got 'icd10'");
    expect((await cli('run', 'wait', 'r1', '--coordinator', 'http://h', '--interval', '0')).err).toContain("--interval must be a whole number from 1 to 86400, got '0'");
  });

  it('maps flags to the POST /api/runs body, sending only what was given', () => {
    expect(runCreateBody({})).toEqual({
      plan: { phases: [{ phase: 'autoencoder', rounds: 30 }, { phase: 'gan', rounds: 20 }] },
      options: { modelFamily: 'medgan', train: {}, vocabulary: {}, model: {} },
    });
    const body = runCreateBody({
      model: 'medgan', 'ae-rounds': '0', 'gan-rounds': '3', 'min-sites': '2', 'deadline-ms': '60000', 'max-retries': '0',
      strategy: 'fedadam', 'local-epochs': '2', 'batch-size': '50', 'learning-rate': '5e-4', seed: '7',
      'code-level': 'full', 'min-code-count': '3', 'latent-dim': '64', 'generator-average': '0.9',
    });
    expect(body).toEqual({
      plan: { phases: [{ phase: 'gan', rounds: 3 }], minSites: 2, roundDeadlineMs: 60000, maxRoundRetries: 0 },
      options: {
        modelFamily: 'medgan',
        strategy: { name: 'fedadam' },
        train: { localEpochs: 2, batchSize: 50, learningRate: 5e-4, seed: 7 },
        vocabulary: { codeLevel: 'full', minCodeCount: 3 },
        model: { latentDim: 64 },
        generatorAverage: { decay: 0.9 },
      },
    });
  });

  it('maps --local-steps to train.localSteps and refuses a count below 1', () => {
    expect(runCreateBody({ 'local-steps': '72' }).options['train']).toEqual({ localSteps: 72 });
    expect(() => runCreateBody({ 'local-steps': '0' })).toThrow(/--local-steps must be a whole number/);
  });

  it('maps --server-momentum and --server-learning-rate to fedavg with a server step, and refuses them elsewhere', () => {
    expect(runCreateBody({ 'server-momentum': '0.5' }).options['strategy']).toEqual({ name: 'fedavg', serverMomentum: 0.5 });
    expect(runCreateBody({ strategy: 'fedavg', 'server-learning-rate': '1.5', 'server-momentum': '0' }).options['strategy']).toEqual({ name: 'fedavg', serverMomentum: 0, serverLearningRate: 1.5 });
    expect(() => runCreateBody({ 'server-momentum': '1' })).toThrow("--server-momentum must be a number in [0, 1), got '1'");
    expect(() => runCreateBody({ strategy: 'fedadam', 'server-momentum': '0.5' })).toThrow('--server-momentum belongs to --strategy fedavg, not fedadam');
    expect(() => runCreateBody({ strategy: 'fednova', 'server-momentum': '0.5' })).toThrow('--server-momentum belongs to --strategy fedavg, not fednova');
    expect(() => runCreateBody({ strategy: 'fedmedian', 'server-learning-rate': '2' })).toThrow('--server-learning-rate belongs to --strategy fedavg or fednova, not fedmedian');
  });

  it('maps --strategy fednova with a server learning rate', () => {
    expect(runCreateBody({ strategy: 'fednova' }).options['strategy']).toEqual({ name: 'fednova' });
    expect(runCreateBody({ strategy: 'fednova', 'server-learning-rate': '0.8' }).options['strategy']).toEqual({ name: 'fednova', serverLearningRate: 0.8 });
  });

  it.each(['1', '-0.5', 'x', ''])('refuses --generator-average %p naming the option', (decay) => {
    expect(() => runCreateBody({ 'generator-average': decay })).toThrow(`--generator-average must be a decay in [0, 1) (0 turns the average off), got '${decay}'`);
  });

  it('reports an unreachable coordinator plainly', async () => {
    // Port 9 (discard) is closed on test machines: the fetch fails to connect.
    const r = await cli('run', 'status', 'r1', '--coordinator', 'http://127.0.0.1:9');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot reach the coordinator at http:\/\/127\.0\.0\.1:9 \(.+\); is it running/);
  });
});

describe('pull', () => {
  it('requires --run and --out and checks --round', async () => {
    expect((await cli('pull', '--coordinator', 'http://h', '--out', 'x')).err).toContain('--run RUN_ID is required');
    expect((await cli('pull', '--coordinator', 'http://h', '--run', 'r')).err).toContain('--out DIR is required');
    expect((await cli('pull', '--coordinator', 'http://h', '--run', 'r', '--out', 'x', '--round', '0')).err).toContain("--round must be a whole number from 1");
    expect((await cli('pull', '--run', 'r', '--out', 'x')).err).toContain('--coordinator URL is required');
  });
});

describe('site', () => {
  const base = ['site', '--coordinator', 'http://127.0.0.1:9', '--input', 'data/none'];

  it('requires --site and a token, and says where the token comes from', async () => {
    expect((await cli(...base, '--token', 't')).err).toContain("--site ID is required (the id printed by 'fedsynth coordinator add-site')");
    const r = await cli(...base, '--site', 'hospital-a');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--token is required (or set FEDSYNTH_SITE_TOKEN)');
  });

  it('checks --holdout and the URL', async () => {
    expect(holdoutOption({})).toBe(0.2);
    expect(holdoutOption({ holdout: '0.1' })).toBe(0.1);
    for (const bad of ['0', '1', '-0.2', 'x', '']) expect(() => holdoutOption({ holdout: bad })).toThrow(/--holdout must be a fraction between 0 and 1/);
    expect((await cli('site', '--coordinator', 'coord:8080', '--site', 'a', '--token', 't', '--input', 'x')).err).toContain('--coordinator must be');
    expect((await cli(...base, '--site', 'a', '--token', 't', '--min-code-count', '0')).err).toContain("--min-code-count must be a whole number from 1");
  });

  it('describes agent events in one line each, skipping step logs', () => {
    expect(describeSiteEvent({ type: 'trainStarted', runId: 'r', round: 0, phase: 'gan' })).toBe('run r: round 1 (gan) training');
    const log = { kind: 'step', epoch: 1, step: 1, batches: 2, epochs: 2, stepsPerEpoch: 3, recordsPerSec: 10, elapsedMs: 1, phase: 'gan', losses: { d: 1, g: 2 } } as const;
    expect(describeSiteEvent({ type: 'trainLog', log })).toBeUndefined();
    expect(describeSiteEvent({ type: 'trainLog', log: { ...log, kind: 'epoch' } })).toBe('  gan epoch 1/2: d 1.0000 g 2.0000, 10 records/s');
    expect(describeSiteEvent({ type: 'resultRejected', round: 2, code: 'UPDATE_REJECTED', reason: 'norm' })).toContain('round 3: update rejected by the coordinator (UPDATE_REJECTED: norm)');
  });
});

describe('coordinator', () => {
  it('lists every bad variable of the configuration', async () => {
    const before = { ...process.env };
    try {
      process.env.FEDSYNTH_ADMIN_TOKEN = 'short';
      process.env.FEDSYNTH_LOG_LEVEL = 'loud';
      const r = await cli('coordinator', '--port', '0', '--data-dir', '/tmp/unused');
      expect(r.code).toBe(2);
      expect(r.err).toContain('invalid coordinator configuration (2 problems)');
      expect(r.err).toContain('FEDSYNTH_ADMIN_TOKEN: must be at least 16 characters, got 5');
      expect(r.err).toContain('FEDSYNTH_LOG_LEVEL: must be one of error, warn, log, debug, verbose, got "loud"');
      expect(r.err).not.toContain('short');
    } finally {
      process.env.FEDSYNTH_LOG_LEVEL = before.FEDSYNTH_LOG_LEVEL;
      if (before.FEDSYNTH_LOG_LEVEL === undefined) delete process.env.FEDSYNTH_LOG_LEVEL;
    }
  });

  it('lets --port and --data-dir override the environment, and checks --port', async () => {
    const env = coordinatorEnvironment({ port: '0', 'data-dir': 'd' }, { FEDSYNTH_PORT: '80', FEDSYNTH_DATA_DIR: 'e', OTHER: 'x' });
    expect(env).toMatchObject({ FEDSYNTH_PORT: '0', FEDSYNTH_DATA_DIR: 'd', OTHER: 'x' });
    expect((await cli('coordinator', '--port', '70000')).err).toContain("--port must be a whole number from 0 to 65535, got '70000'");
    expect((await cli('coordinator', 'start')).err).toContain("unknown subcommand 'start'");
  });

  it('add-site needs one NAME and derives a readable id from it', async () => {
    expect((await cli('coordinator', 'add-site')).err).toContain('a site NAME is required');
    expect((await cli('coordinator', 'add-site', 'Hospital', 'A')).err).toContain('expected one NAME, got 2 words; quote a name with spaces: "Hospital A"');
    expect(siteIdFromName('Hospital A')).toBe('hospital-a');
    expect(siteIdFromName("St. Mary's Hôpital")).toBe('st.-mary-s-hopital');
    expect(siteIdFromName('!!!')).toBeUndefined();
  });

  it('shows help with examples for every new command', async () => {
    for (const path of [['coordinator'], ['coordinator', 'add-site'], ['site'], ['run', 'create'], ['run', 'start'], ['run', 'status'], ['run', 'wait'], ['pull']]) {
      const r = await cli(...path, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: fedsynth ${path.join(' ')}`));
      expect(r.out).toContain('Examples:');
    }
  });
});
