import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, useTestCoordinator } from '../__fixtures__/cli-harness';
import { captureIo } from '../test-io';
import { runCli } from '../run-cli';

// One real coordinator (ephemeral port, temporary data folder) driven through runCli, as an
// administrator would. Training is never started: the e2e test in apps/coordinator covers it.
const ADMIN_TOKEN = 'cli-integration-admin-token-0123456789';
const coordinator = useTestCoordinator({ adminToken: ADMIN_TOKEN, prefix: 'fedsynth-cli-federation-' });
let siteToken: string | undefined;
const DEMO_DIR = join(__dirname, '../../../../data/mimic-iii-demo');

describe('federation commands against a real coordinator', () => {
  it('creates a run, shows its status, registers a site, and reports server errors', async () => {
    const url = coordinator.url;

    const created = await cli('run', 'create', '--coordinator', url, '--model', 'medgan', '--min-sites', '2', '--ae-rounds', '1', '--gan-rounds', '2', '--local-epochs', '2', '--seed', '3');
    expect(created.err).toContain('Created run');
    expect(created.code).toBe(0);
    const runId = created.out.trim();
    expect(runId).toMatch(/^\S+$/);
    expect(created.err).toContain(`(1 autoencoder + 2 gan rounds, quorum 2). Start it with: fedsynth run start ${runId}`);

    const status = await cli('run', 'status', runId, '--coordinator', `${url}/`);
    expect(status.code).toBe(0);
    expect(status.out).toContain(`run ${runId}\n  status    created\n  stage     created\n  phase     -\n  round     -\n  plan      1 autoencoder + 2 gan rounds, quorum 2`);
    const json = JSON.parse((await cli('run', 'status', runId, '--coordinator', url, '--json')).out);
    expect(json.run.options.train).toMatchObject({ localEpochs: 2, seed: 3 });

    // The coordinator's own messages come through, with the HTTP status.
    const bad = await cli('run', 'create', '--coordinator', url, '--strategy', 'fedbogus');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/POST \/api\/runs failed: HTTP 400: invalid run options: .*fedbogus/);
    const missing = await cli('run', 'status', 'no-such-run', '--coordinator', url);
    expect(missing.err).toMatch(/GET \/api\/runs\/no-such-run failed: HTTP 404: .*no-such-run/);
    const early = await cli('pull', '--coordinator', url, '--run', runId, '--out', join(coordinator.dataDir, 'pulled'));
    expect(early.err).toContain(`HTTP 404: run ${runId} has no completed GAN round yet`);
    await expect(readdir(coordinator.dataDir)).resolves.not.toContain('pulled');
    process.env.FEDSYNTH_ADMIN_TOKEN = 'wrong-token-wrong-token';
    try {
      expect((await cli('run', 'status', runId, '--coordinator', url)).err).toContain('HTTP 401: a valid admin bearer token is required');
    } finally {
      process.env.FEDSYNTH_ADMIN_TOKEN = ADMIN_TOKEN;
    }

    // add-site writes to the same database the running coordinator reads.
    const added = await cli('coordinator', 'add-site', 'Hospital A', '--data-dir', coordinator.dataDir);
    expect(added.code).toBe(0);
    const token = /token {4}(\S+)/.exec(added.out)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(added.out).toContain('site id  hospital-a');
    expect(added.out).toContain('shown only once: the coordinator stores only its hash');
    const again = await cli('coordinator', 'add-site', 'Hospital A', '--data-dir', coordinator.dataDir);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already registered/);

    const response = await fetch(`${url}/api/sites`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const sites = (await response.json()) as { id: string; name: string; connected: boolean }[];
    expect(sites).toEqual([expect.objectContaining({ id: 'hospital-a', name: 'Hospital A', connected: false })]);
    expect(JSON.stringify(sites)).not.toContain(token!);
    siteToken = token;
  });

  it('runs a site agent with its token until SIGTERM, and refuses a wrong token with the reason', async () => {
    expect(siteToken).toBeDefined();
    const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const site = ['site', '--coordinator', coordinator.url, '--site', 'hospital-a', '--input', DEMO_DIR, '--rollup', '--min-code-count', '2'];
    try {
      const refused = await cli(...site, '--token', 'x'.repeat(43));
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/fedsynth site: error: cannot join http:\/\/127\.0\.0\.1:\d+: .*UNAUTHORIZED: site hospital-a is unknown or its token is wrong/);

      const before = new Set(process.listeners('SIGTERM'));
      const io = captureIo();
      const running = runCli([...site, '--token', siteToken!], io);
      for (let i = 0; i < 400 && !io.stderr().includes('site agent running'); i++) await new Promise((r) => setTimeout(r, 25));
      expect(io.stderr()).toContain('connected to the coordinator');
      const response = await fetch(`${coordinator.url}/api/sites`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(await response.json()).toEqual([expect.objectContaining({ id: 'hospital-a', connected: true })]);
      const added = process.listeners('SIGTERM').filter((l) => !before.has(l));
      expect(added).toHaveLength(1);
      (added[0] as (signal: NodeJS.Signals) => void)('SIGTERM');
      expect(await running).toBe(0);
      expect(io.stderr()).toContain('SIGTERM received; disconnecting');
    } finally {
      quiet.mockRestore();
    }
  });
});

describe('fedsynth coordinator', () => {
  it('serves until SIGTERM, then closes cleanly', async () => {
    const saved = { host: process.env.FEDSYNTH_HOST, level: process.env.FEDSYNTH_LOG_LEVEL };
    process.env.FEDSYNTH_HOST = '127.0.0.1';
    process.env.FEDSYNTH_LOG_LEVEL = 'error';
    const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined); // the backend line
    const before = new Set(process.listeners('SIGTERM'));
    try {
      const io = captureIo();
      const running = runCli(['coordinator', '--port', '0', '--data-dir', join(coordinator.dataDir, 'second')], io);
      for (let i = 0; i < 200 && !io.stdout().includes('listening at'); i++) await new Promise((r) => setTimeout(r, 25));
      const url = /listening at (\S+)/.exec(io.stdout())?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const runs = await fetch(`${url}/api/runs`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(runs.status).toBe(200);
      // Call the command's own handler rather than process.emit, which would reach any other
      // SIGTERM listener in the test process too.
      const added = process.listeners('SIGTERM').filter((l) => !before.has(l));
      expect(added).toHaveLength(1);
      (added[0] as (signal: NodeJS.Signals) => void)('SIGTERM');
      expect(await running).toBe(0);
      expect(io.stderr()).toContain('SIGTERM received; closing the coordinator...\nCoordinator stopped.\n');
      expect(process.listeners('SIGTERM').filter((l) => !before.has(l))).toHaveLength(0);
      await expect(fetch(`${url}/api/runs`)).rejects.toThrow();
    } finally {
      quiet.mockRestore();
      for (const [name, value] of [['FEDSYNTH_HOST', saved.host], ['FEDSYNTH_LOG_LEVEL', saved.level]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
