import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoSites } from '../__fixtures__/demo-sites';
import { makeSelfSignedCert, type SelfSignedCert } from '../__fixtures__/self-signed-cert';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config/coordinator-config';
import { addSite } from '../start-coordinator';
import { AdminClient } from './admin-client';
import { CliProcess, showingOutputOnFailure, startCoordinatorProcess } from './cli-process';
import { readStore } from './read-store';

// Real processes throughout, over TLS: `fedsynth coordinator` with a self-signed certificate
// and three `fedsynth site --ca ...` agents training on thirds of the demo data. Sites are
// killed with SIGKILL while they train, as a crash or a pulled cable would end them.
const ADMIN_TOKEN = 'site-killed-admin-token-0123456789';
const SITES = ['site-a', 'site-b', 'site-c'];
// Enough local work that a site trains for about a second: killed after its first epoch, it
// has surely taken the task (the coordinator got its ack) and not yet sent its update.
const LOCAL_EPOCHS = 12;

let dir: string;
let cert: SelfSignedCert;
let config: CoordinatorConfig;
let coordinator: { process: CliProcess; url: string } | undefined;
let admin: AdminClient;
const tokens = new Map<string, string>();
let inputs: string[];
const processes = new Map<string, CliProcess>();

function startSite(siteId: string): CliProcess {
  const index = SITES.indexOf(siteId);
  const site = CliProcess.start(
    siteId,
    ['site', '--coordinator', coordinator!.url, '--ca', cert.certPath, '--site', siteId, '--input', inputs[index]!, '--format', 'long', '--rollup', '--min-code-count', '2', '--holdout', '0.2'],
    { FEDSYNTH_SITE_TOKEN: tokens.get(siteId)! },
  );
  processes.set(siteId, site);
  return site;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fedsynth-site-killed-'));
  cert = makeSelfSignedCert(dir);
  config = loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN, FEDSYNTH_DATA_DIR: join(dir, 'data') });
  for (const id of SITES) tokens.set(id, addSite(config, { name: id, id }).token);
  inputs = writeDemoSites(join(dir, 'sites'), SITES.length);
  coordinator = await startCoordinatorProcess({
    dataDir: config.dataDir,
    env: { FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN, FEDSYNTH_TLS_CERT: cert.certPath, FEDSYNTH_TLS_KEY: cert.keyPath },
  });
  admin = new AdminClient(coordinator.url, ADMIN_TOKEN, cert.certPem);
});

afterAll(async () => {
  await Promise.all([...processes.values()].map((p) => p.kill('SIGKILL')));
  await coordinator?.process.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('site processes killed mid-round (coordinator and sites in their own processes, over TLS)', () => {
  it('finishes a round with the quorum left, then fails a round that lost its quorum cleanly and retries it when the sites are back', async () => {
    await showingOutputOnFailure(() => [coordinator!.process, ...processes.values()], scenario);
  }, 120_000);
});

async function scenario(): Promise<void> {
  {
    expect(coordinator!.url).toMatch(/^https:/);
    SITES.forEach(startSite);
    await Promise.all(SITES.map((id) => processes.get(id)!.waitFor(/connected to the coordinator/, 20_000)));
    await admin.waitForSites(SITES, 10_000);
    const runId = await admin.createAndStart({
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 3 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 1, evaluateEvery: 0 },
      options: {
        modelFamily: 'medgan',
        model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] },
        strategy: { name: 'fedavg' },
        train: { localEpochs: LOCAL_EPOCHS, batchSize: 16, learningRate: 1e-3, seed: 11 },
        vocabulary: { codeLevel: 'category', minCodeCount: 2 },
      },
    });

    // Round index 1 (the CLI prints it 1-based): site-c dies during its training.
    await processes.get('site-c')!.waitFor(/round 2 \(gan\) training[\s\S]*?gan epoch 1\//, 30_000);
    await processes.get('site-c')!.kill('SIGKILL');
    await admin.waitForRun(runId, (v) => v.rounds.some((r) => r.round === 1 && r.status === 'completed'), 30_000, 'round 1 with two sites');

    // Round index 2: site-b dies too; one site cannot make the quorum of two.
    await processes.get('site-b')!.waitFor(/round 3 \(gan\) training[\s\S]*?gan epoch 1\//, 30_000);
    await processes.get('site-b')!.kill('SIGKILL');
    await admin.waitForRun(runId, (v) => v.rounds.some((r) => r.round === 2 && r.status === 'failed'), 30_000, 'round 2 attempt 1 failing');
    // The retry waits for sites; they come back (new processes, same tokens) and the run goes on.
    startSite('site-b');
    startSite('site-c');
    const done = await admin.waitForRun(runId, (v) => v.run.status !== 'running', 60_000, 'the end of the run');
    if (done.run.status !== 'completed') throw new Error(`run ${done.run.status}: ${done.run.error}\n${JSON.stringify(done.rounds, null, 1)}`);

    const byAttempt = done.rounds.map((r) => [r.round, r.attempt, r.status]);
    expect(byAttempt).toEqual([
      [0, 1, 'completed'],
      [1, 1, 'completed'],
      [2, 1, 'failed'],
      [2, 2, 'completed'],
      [3, 1, 'completed'],
    ]);
    const round1 = done.rounds.find((r) => r.round === 1)!;
    expect(round1.metrics).toMatchObject({ siteCount: 2, failureCount: 1 });
    // site-a may or may not have answered before site-b died: either way one site cannot make two.
    expect(done.rounds.find((r) => r.round === 2 && r.attempt === 1)!.error).toMatch(/^quorum not reachable: (0 accepted results and 1|1 accepted result and 0) outstanding, 2 needed/);
    // The retry opened once two sites were connected again (the quorum), with or without the last one back.
    expect((done.rounds.find((r) => r.round === 2 && r.attempt === 2)!.metrics as { siteCount: number }).siteCount).toBeGreaterThanOrEqual(2);

    const { contributions, audit } = readStore(config.databasePath, (store) => ({
      contributions: store.rounds.contributions({ runId, round: 1, attempt: 1 }),
      audit: store.audit.list({ subject: runId, limit: 1000 }),
    }));
    // site-c never answered round 1: it was killed before its update left.
    expect(contributions.map((c) => [c.siteId, c.accepted])).toEqual([
      ['site-a', true],
      ['site-b', true],
    ]);
    const failed = audit.filter((e) => e.action === 'round.failed').map((e) => e.details);
    expect(failed).toEqual([expect.objectContaining({ round: 2, attempt: 1, willRetry: true })]);
    const completed = audit.filter((e) => e.action === 'round.completed').map((e) => [e.details!['round'], (e.details!['sites'] as { siteId: string }[]).map((s) => s.siteId)]);
    expect(completed.slice(0, 2)).toEqual([
      [0, SITES],
      [1, ['site-a', 'site-b']],
    ]);
    expect(completed.slice(2).map(([round]) => round)).toEqual([2, 3]);
    for (const [, sites] of completed.slice(2)) expect((sites as string[]).length).toBeGreaterThanOrEqual(2);
  }
}
