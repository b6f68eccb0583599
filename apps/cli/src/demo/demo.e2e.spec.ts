import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/*
 * `fedsynth demo` end to end, as `npm run demo` runs it: the built CLI (apps/cli/dist) in a
 * child process, which starts the coordinator and three site agents as processes of their own.
 * The tests run from sources (ts-jest) but the demo spawns dist/, so dist must be built: CI's
 * `npm ci` builds it (the root `prepare` script); locally run `npm run build` after editing.
 */
const ROOT = path.resolve(__dirname, '../../../..');
const MAIN = path.join(ROOT, 'apps/cli/dist/main.js');
const FIVE_MINUTES = 5 * 60_000;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let work: string;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: the demo runs the built CLI; run 'npm run build' (npm ci does it)`);
  work = await mkdtemp(path.join(tmpdir(), 'fedsynth-demo-e2e-'));
});

afterAll(async () => {
  // A test that failed half-way must not leave a demo behind: SIGTERM makes it stop its children.
  for (const child of running) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, running.size > 0 ? 5000 : 0));
  await rm(work, { recursive: true, force: true });
});

function startDemo(args: string[]): { child: ChildProcess; output: () => string; done: Promise<Finished> } {
  const child = spawn(process.execPath, [MAIN, 'demo', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, output: () => stdout + stderr, done };
}

/** Processes whose command line mentions `text` (the demo's work folder): none may outlive the demo. */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline}`);
    } catch {
      // exited while we looked
    }
  }
  return found;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** tf.loadLayersModel on the pulled files, through plain tfjs (no fedsynth code involved). */
async function loadGenerator(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: object;
    weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[];
  };
  // Copied into this realm's ArrayBuffer: Jest's VM context fails tfjs' instanceof checks otherwise.
  const weights = new Uint8Array(await readFile(path.join(dir, 'weights.bin'))).slice().buffer;
  const specs = modelJson.weightsManifest.flatMap((group) => group.weights);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData: weights }));
}

describe('fedsynth demo (end to end, real processes)', () => {
  it(
    'runs a 3-site federation on the bundled MIMIC-III demo and leaves a loadable generator, 1,000 patients and a report',
    async () => {
      const out = path.join(work, 'demo');
      const started = Date.now();
      const demo = startDemo(['--out', out]);
      const result = await demo.done;
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(`fedsynth demo wall time: ${seconds.toFixed(1)} s\n`);
      if (result.code !== 0) throw new Error(`demo exited with ${result.code ?? result.signal}:\n${result.stderr.slice(-4000)}`);

      // Progress from every process, prefixed; the summary with the paths and the dashboard.
      for (const name of ['demo', 'coordinator', 'site-1', 'site-2', 'site-3', 'run', 'pull', 'sample', 'evaluate']) {
        expect(result.stderr).toMatch(new RegExp(`^\\[${name}\\] `, 'm'));
      }
      expect(result.stderr).toMatch(/\[run\] .*status completed/);
      expect(result.stdout).toContain('fedsynth demo finished in');
      const dashboard = /dashboard +(http:\/\/127\.0\.0\.1:\d+\/dashboard)/.exec(result.stdout)?.[1];
      expect(dashboard).toBeDefined();
      for (const file of ['synthetic.csv', 'generator/', 'report/report.html', 'NOTICE.md']) expect(result.stdout).toContain(path.join(out, file));

      // Secrets stay out of the terminal: no admin token, no site token line.
      const adminToken = (await readFile(path.join(out, 'admin-token'), 'utf8')).trim();
      expect(adminToken.length).toBeGreaterThanOrEqual(32);
      expect(demo.output()).not.toContain(adminToken);
      expect(demo.output()).not.toMatch(/token +[A-Za-z0-9_-]{43}/);

      // The generator: a LayersModel mapping noise to code probabilities over the run's vocabulary.
      const manifest = JSON.parse(await readFile(path.join(out, 'generator/fedsynth.json'), 'utf8')) as {
        family: string;
        sampler: { noiseDim: number };
        vocabulary: { size: number; codes: string[] };
        metrics: { federation?: { runId?: string } };
      };
      expect(manifest.family).toBe('medgan');
      expect(manifest.vocabulary.codes).toHaveLength(manifest.vocabulary.size);
      const generator = await loadGenerator(path.join(out, 'generator'));
      const probabilities = tf.tidy(() => (generator.predict(tf.randomNormal([16, manifest.sampler.noiseDim], 0, 1, 'float32', 3)) as tf.Tensor).arraySync() as number[][]);
      generator.dispose();
      expect(probabilities).toHaveLength(16);
      expect(probabilities[0]).toHaveLength(manifest.vocabulary.size);
      expect(probabilities.flat().every((p) => p >= 0 && p <= 1)).toBe(true);

      // The CSV: 1,000 sampled patients (those with no code have no row in the long layout, as
      // 'fedsynth sample' reports), every code from the vocabulary.
      const [header, ...rows] = (await readFile(path.join(out, 'synthetic.csv'), 'utf8')).trim().split('\n');
      expect(header).toBe('patient,code');
      const empty = Number(/\[demo\] sample: .*?(\d+) records with no code/.exec(result.stderr)?.[1]);
      const patients = new Set(rows.map((row) => row.split(',')[0]));
      expect(patients.size + empty).toBe(1000);
      expect([...patients].every((id) => /^synthetic-\d{6}$/.test(id) && Number(id.slice(10)) >= 1 && Number(id.slice(10)) <= 1000)).toBe(true);
      const vocabulary = new Set(manifest.vocabulary.codes);
      expect(rows.every((row) => vocabulary.has(row.split(',')[1]))).toBe(true);

      // The quality report, over the synthetic patients against the pooled sites and the holdout.
      const report = JSON.parse(await readFile(path.join(out, 'report/report.json'), 'utf8')) as {
        sources: { synthetic: { records: number }; train: { records: number }; holdout: { records: number }; syntheticFormat: string };
        verdicts: Record<string, { text: string }>;
      };
      expect(report.sources).toMatchObject({ synthetic: { records: patients.size }, train: { records: 80 }, holdout: { records: 20 }, syntheticFormat: 'long' });
      expect(Object.keys(report.verdicts).sort()).toEqual(['fidelity', 'privacy', 'utility']);
      expect(await readFile(path.join(out, 'report/report.html'), 'utf8')).toContain('<html');

      // Everything it started is gone: no process mentions its folder, the coordinator is closed.
      expect(processesMentioning(out)).toEqual([]);
      await expect(fetch(dashboard!)).rejects.toThrow();
    },
    FIVE_MINUTES,
  );

  it(
    'stops every process it started on Ctrl-C (SIGINT) and exits 130',
    async () => {
      const out = path.join(work, 'interrupted');
      const demo = startDemo(['--out', out]);
      await until(() => /\[demo\] 3 site agents connected/.test(demo.output()), 120_000, 'the site agents to connect');
      expect(processesMentioning(out).length).toBeGreaterThanOrEqual(4);
      demo.child.kill('SIGINT');
      const result = await demo.done;
      expect(result.code).toBe(130);
      expect(result.stderr).toContain('[demo] SIGINT received: stopping every process the demo started');
      expect(result.stderr).toContain('[demo] all demo processes stopped');
      expect(processesMentioning(out)).toEqual([]);
    },
    FIVE_MINUTES,
  );
});
