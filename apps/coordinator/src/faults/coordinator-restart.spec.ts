import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoSites } from '../__fixtures__/demo-sites';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config/coordinator-config';
import { addSite } from '../start-coordinator';
import { AdminClient } from './admin-client';
import { CliProcess, showingOutputOnFailure, startCoordinatorProcess } from './cli-process';
import { readStore } from './read-store';

// `fedsynth coordinator` is killed with SIGKILL while the sites train a round (no shutdown
// hook runs, as in a crash or power cut), then started again on the same data folder and
// port. The two `fedsynth site` processes are left alone: they reconnect on their own.
const ADMIN_TOKEN = 'coordinator-restart-admin-token-0123456789';
const SITES = ['site-a', 'site-b'];
const PLAN = { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 3 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 1, evaluateEvery: 0 };
const PLANNED_ROUNDS = 4;

let dir: string;
let config: CoordinatorConfig;
let coordinator: { process: CliProcess; url: string } | undefined;
const sites: CliProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedsynth-restart-'));
  config = loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN, FEDSYNTH_DATA_DIR: join(dir, 'data') });
});

afterAll(async () => {
  await Promise.all(sites.map((p) => p.kill('SIGKILL')));
  await coordinator?.process.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const startCoordinator = (port?: number) =>
  startCoordinatorProcess({ dataDir: config.dataDir, ...(port !== undefined ? { port } : {}), env: { FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN } });

describe('the coordinator process killed mid-round and restarted', () => {
  it('resumes the run at the interrupted round and completes every planned round exactly once', () =>
    showingOutputOnFailure(() => [...(coordinator ? [coordinator.process] : []), ...sites], async () => {
      const tokens = SITES.map((id) => addSite(config, { name: id, id }).token);
      const inputs = writeDemoSites(join(dir, 'sites'), SITES.length);
      coordinator = await startCoordinator();
      const port = Number(new URL(coordinator.url).port);
      for (const [i, siteId] of SITES.entries()) {
        sites.push(
          CliProcess.start(siteId, ['site', '--coordinator', coordinator.url, '--site', siteId, '--input', inputs[i]!, '--format', 'long', '--rollup', '--min-code-count', '2'], {
            FEDSYNTH_SITE_TOKEN: tokens[i]!,
          }),
        );
      }
      const admin = new AdminClient(coordinator.url, ADMIN_TOKEN);
      await admin.waitForSites(SITES, 20_000);
      const runId = await admin.createAndStart({
        plan: PLAN,
        options: {
          modelFamily: 'medgan',
          model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] },
          strategy: { name: 'fedavg' },
          train: { localEpochs: 12, batchSize: 16, learningRate: 1e-3, seed: 13 },
          vocabulary: { codeLevel: 'category', minCodeCount: 2 },
        },
      });

      // Round index 2 is being trained (the CLI prints it 1-based): kill the coordinator.
      await sites[0]!.waitFor(/round 3 \(gan\) training[\s\S]*?gan epoch 1\//, 40_000);
      await coordinator.process.kill('SIGKILL');
      const atCrash = readStore(config.databasePath, (store) => store.rounds.list(runId).map((r) => [r.round, r.attempt, r.status]));
      expect(atCrash).toEqual([
        [0, 1, 'completed'],
        [1, 1, 'completed'],
        [2, 1, 'open'],
      ]);

      coordinator = await startCoordinator(port);
      const done = await new AdminClient(coordinator.url, ADMIN_TOKEN).waitForRun(runId, (v) => v.run.status !== 'running', 60_000, 'the end of the resumed run');
      expect(done.run.status).toBe('completed');

      // As many completed rounds as the plan has (what an uninterrupted run completes), each exactly once.
      const completed = done.rounds.filter((r) => r.status === 'completed');
      expect(completed).toHaveLength(PLANNED_ROUNDS);
      expect(completed.map((r) => r.round)).toEqual([0, 1, 2, 3]);
      expect(done.rounds.map((r) => [r.round, r.attempt, r.status, r.error])).toEqual([
        [0, 1, 'completed', null],
        [1, 1, 'completed', null],
        [2, 1, 'failed', 'interrupted: the run was stopped or the coordinator restarted'],
        [2, 2, 'completed', null],
        [3, 1, 'completed', null],
      ]);
      for (const round of completed) expect(round.metrics).toMatchObject({ siteCount: 2 });
      // The sites reconnected by themselves: one connection each before the crash, at least one after.
      const audit = readStore(config.databasePath, (store) => store.audit.list({ limit: 1000 }));
      for (const siteId of SITES) expect(audit.filter((e) => e.action === 'site.connected' && e.subject === siteId).length).toBeGreaterThanOrEqual(2);
      expect(audit.filter((e) => e.action === 'run.resumed')).toEqual([expect.objectContaining({ actor: 'coordinator', subject: runId })]);

      // The exported generator's files are those whose sha256 the audit log recorded.
      const manifest = await fetch(`${coordinator.url}/api/runs/${runId}/generator/fedsynth.json`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(manifest.status).toBe(200);
      const exported = audit.length; // entries before the export
      const [entry] = readStore(config.databasePath, (store) => store.audit.list({ action: 'generator.exported', afterId: audit[exported - 1]!.id }));
      expect(entry).toMatchObject({ subject: runId, details: { round: 3, attempt: 1 } });
      const hashes = (entry!.details as { sha256: Record<string, string> }).sha256;
      expect(Object.keys(hashes).sort()).toEqual(['fedsynth.json', 'model.json', 'state.bin', 'weights.bin']);
      for (const file of ['model.json', 'weights.bin']) {
        const served = await fetch(`${coordinator.url}/api/runs/${runId}/generator/${file}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        expect(createHash('sha256').update(Buffer.from(await served.arrayBuffer())).digest('hex')).toBe(hashes[file]);
      }
    }),
  120_000);
});
