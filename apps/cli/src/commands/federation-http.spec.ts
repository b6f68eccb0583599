import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, useAdminTokenEnv } from '../__fixtures__/cli-harness';

// `run wait` and `pull` need a run that trains; a stub HTTP server plays the coordinator's
// routes instead (their real answers are checked in federation-cli.spec.ts).
const TOKEN = 'stub-admin-token-0123456789';
useAdminTokenEnv(TOKEN);
type Handler = (path: string, auth: string | undefined) => { status: number; body: string | Buffer };
let handler: Handler;
let server: Server;
let url: string;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fedsynth-cli-http-'));
  server = createServer((req, res) => {
    const { status, body } = handler(req.url ?? '', req.headers.authorization);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'application/json' : 'application/octet-stream' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});


function runDetail(status: string, stage: string, round: number | null, error: string | null = null) {
  return JSON.stringify({
    run: { id: 'r1', status, plan: { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 2 }, currentPhase: round === null ? null : round === 0 ? 'autoencoder' : 'gan', currentRound: round, error, createdAt: 0, startedAt: 0, finishedAt: null },
    stage,
    completedRounds: round,
    rounds: [],
  });
}

describe('run wait', () => {
  it('prints progress when the run changes and exits 0 once it completes', async () => {
    const answers = [runDetail('running', 'training', 0), runDetail('running', 'training', 0), runDetail('running', 'training', 2), runDetail('completed', 'completed', 2)];
    const seen: (string | undefined)[] = [];
    handler = (path, auth) => {
      seen.push(auth);
      expect(path).toBe('/api/runs/r1');
      return { status: 200, body: answers.shift() ?? runDetail('completed', 'completed', 2) };
    };
    const r = await cli('run', 'wait', 'r1', '--coordinator', url, '--interval', '1');
    expect(r.code).toBe(0);
    expect(r.out).toBe('completed\n');
    const progress = r.err.trim().split('\n');
    expect(progress).toHaveLength(3); // the repeated answer prints nothing
    expect(progress[0]).toMatch(/run r1: status running, stage training, round 1\/3 \(autoencoder\), 0 completed$/);
    expect(progress[2]).toMatch(/run r1: status completed, round 3\/3 \(gan\), 2 completed$/);
    expect(seen.every((a) => a === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('exits 1 with the reason when the run failed', async () => {
    handler = () => ({ status: 200, body: runDetail('failed', 'failed', 1, 'round 2 failed 3 times: quorum not reached') });
    const r = await cli('run', 'wait', 'r1', '--coordinator', url);
    expect(r.code).toBe(1);
    expect(r.out).toBe('failed\n');
    expect(r.err).toContain('error: round 2 failed 3 times: quorum not reached');
  });

  it('stops at once on an HTTP error, printing the server message', async () => {
    handler = () => ({ status: 404, body: JSON.stringify({ statusCode: 404, code: 'RUN_NOT_FOUND', message: 'run r1 does not exist' }) });
    const r = await cli('run', 'wait', 'r1', '--coordinator', url);
    expect(r.code).toBe(2);
    expect(r.err).toBe('fedsynth run wait: error: GET /api/runs/r1 failed: HTTP 404: run r1 does not exist\n');
  });
});

describe('pull', () => {
  const manifest = (round: number) => JSON.stringify({ metrics: { federation: { runId: 'r1', round } } });
  const files = (round: number, withState: boolean): Handler => (path) => {
    const name = path.replace('/api/runs/r1/generator/', '');
    if (name === 'fedsynth.json') return { status: 200, body: manifest(round) };
    if (name === 'model.json') return { status: 200, body: '{"modelTopology":{}}' };
    if (name === 'weights.bin') return { status: 200, body: Buffer.from([1, 2, 3, 4]) };
    if (name === 'state.bin' && withState) return { status: 200, body: Buffer.from([9]) };
    return { status: 404, body: JSON.stringify({ message: `no generator file ${name}` }) };
  };

  it('writes the generator files, state.bin only when the coordinator has one', async () => {
    handler = files(2, false);
    const out = join(root, 'model-a');
    const r = await cli('pull', '--coordinator', url, '--run', 'r1', '--out', out, '--round', '3');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['fedsynth.json', 'model.json', 'weights.bin']);
    expect([...(await readFile(join(out, 'weights.bin')))]).toEqual([1, 2, 3, 4]);
    expect(r.out).toContain(`Pulled run r1, GAN round 3 into ${out}`);
    expect(r.out).toContain(`Sample with: fedsynth sample --model ${out}`);

    handler = files(2, true);
    const withState = join(root, 'model-b');
    expect((await cli('pull', '--coordinator', url, '--run', 'r1', '--out', withState)).code).toBe(0);
    expect((await readdir(withState)).sort()).toEqual(['fedsynth.json', 'model.json', 'state.bin', 'weights.bin']);
  });

  it('refuses a round other than the latest, and a round completed mid-download', async () => {
    handler = files(2, false);
    const out = join(root, 'model-c');
    const r = await cli('pull', '--coordinator', url, '--run', 'r1', '--out', out, '--round', '2');
    expect(r.code).toBe(2);
    expect(r.err).toContain('the latest completed GAN round is 3, not 2; the coordinator serves only the latest one');
    let manifests = 0;
    handler = (path, auth) => (path.endsWith('/fedsynth.json') ? { status: 200, body: manifest(manifests++) } : files(0, false)(path, auth));
    const raced = await cli('pull', '--coordinator', url, '--run', 'r1', '--out', out);
    expect(raced.err).toContain("completed a new round during the download; run 'fedsynth pull' again");
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});
