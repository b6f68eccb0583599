import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createVocabulary } from '../data/vocabulary';
import { createModel } from './create-model';
import { exportModel } from './export-model';
import { loadSampler, loadTrainableModel } from './load-model';
import { manifestDraw, readModelManifest } from './model-manifest';
import { MODEL_FAMILIES } from './model-options';
import { getWeights } from './named-weights';
import { modelSampler } from './sampler';
import { sampleRecords } from './sample-records';
import { pairedCodesMatrix, TINY_MODEL } from './test-fixtures';
import { train } from './train';

/** Serves a folder over HTTP, as a web server would serve an exported model to a browser. */
async function serveFolder(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const file = normalize(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    readFile(file).then(
      (body) => res.writeHead(200).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * Node's fetch, with bodies re-created in the test's realm. Jest runs tests in a separate VM
 * context, where arrays parsed by Node's own fetch fail tfjs-layers' `instanceof Array` checks;
 * outside Jest plain `tf.loadLayersModel(url)` needs nothing of the sort.
 */
async function sameRealmFetch(input: string, init?: RequestInit) {
  const response = await fetch(input, init);
  return {
    ok: response.ok,
    status: response.status,
    json: async () => JSON.parse(await response.text()) as unknown,
    arrayBuffer: async () => new Uint8Array(await response.arrayBuffer()).slice().buffer,
  };
}

describe('export', () => {
  let dir: string;
  const vocabulary = createVocabulary(Array.from({ length: 10 }, (_, i) => `C${i}`));
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(join(tmpdir(), 'fedsynth-export-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a LayersModel that plain tf.loadLayersModel loads over HTTP and samples like the model', async () => {
    const run = train('medgan', pairedCodesMatrix(80, 10), { epochs: 2, pretrainEpochs: 2, batchSize: 16, model: TINY_MODEL });
    for await (const log of run) void log;
    const model = run.model;
    const out = join(dir, 'medgan');
    const manifest = await exportModel(model, out, { vocabulary, metrics: { note: 'test' } });
    expect((await readdir(out)).sort()).toEqual(['fedsynth.json', 'model.json', 'state.bin', 'weights.bin']);
    expect(manifest).toMatchObject({ family: 'medgan', sampler: { noiseDim: 8, threshold: 0.5, draw: 'bernoulli' }, vocabulary: { size: 10, hash: vocabulary.hash } });

    const { url, server } = await serveFolder(out);
    try {
      const loaded = await tf.loadLayersModel(`${url}/model.json`, { fetchFunc: sameRealmFetch as unknown as typeof fetch });
      const noise = tf.randomNormal([6, 8], 0, 1, 'float32', 9) as tf.Tensor2D;
      const fromFile = loaded.predict(noise) as tf.Tensor;
      const fromModel = tf.tidy(() => model.networks.generate(noise, { training: false }));
      expect(fromFile.shape).toEqual([6, 10]);
      const a = fromFile.dataSync();
      const b = fromModel.dataSync();
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
      tf.dispose([noise, fromFile, fromModel]);
      loaded.dispose();
    } finally {
      server.close();
    }

    // From the folder, through fedsynth's own loader: the same synthetic records.
    const sampler = await loadSampler(out);
    expect(sampler.vocabulary.codes).toEqual(vocabulary.codes);
    const fromExport = sampleRecords(sampler.sampler, { count: 50, seed: 2 });
    const fromMemory = sampleRecords(modelSampler(model), { count: 50, seed: 2 });
    expect(Array.from(fromExport.indices)).toEqual(Array.from(fromMemory.indices));
    sampler.dispose();

    // The full state comes back too, for resuming training.
    const resumed = await loadTrainableModel(out);
    expect(getWeights(resumed.model)).toEqual(getWeights(model));
    resumed.model.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  it.each(MODEL_FAMILIES.filter((f) => f !== 'medgan'))('exports %s too', async (family) => {
    const model = createModel(family, { vocabularySize: 10, ...TINY_MODEL });
    const out = join(dir, family);
    await exportModel(model, out, { vocabulary });
    const loaded = await loadSampler(out);
    const noise = tf.randomNormal([3, model.networks.noiseDim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const a = tf.tidy(() => loaded.sampler.probabilities(noise).dataSync());
    const b = tf.tidy(() => model.networks.generate(noise, { training: false }).dataSync());
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
    tf.dispose(noise);
    loaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('refuses a folder that is not an export, or whose vocabulary was edited', async () => {
    await expect(loadSampler(join(dir, 'nothing-here'))).rejects.toThrow(/not an exported fedsynth model: fedsynth.json not found/);
    const model = createModel('medgan', { vocabularySize: 10, ...TINY_MODEL });
    await expect(exportModel(model, join(dir, 'bad'), { vocabulary: createVocabulary(['A']) })).rejects.toThrow(/1 codes but the model was built for 10/);
    model.dispose();
  });

  it('records how samplers draw; an export without a draw rounds, an unknown draw is refused', async () => {
    const model = createModel('medgan', { vocabularySize: 10, ...TINY_MODEL });
    const out = join(dir, 'draws');
    expect((await exportModel(model, out, { vocabulary, draw: 'round' })).sampler.draw).toBe('round');
    const file = join(out, 'fedsynth.json');
    const written = JSON.parse(await readFile(file, 'utf8')) as { sampler: Record<string, unknown> };
    delete written.sampler.draw; // as exports made before draws existed
    await writeFile(file, JSON.stringify(written));
    expect(manifestDraw(await readModelManifest(out))).toBe('round');
    written.sampler.draw = 'coin';
    await writeFile(file, JSON.stringify(written));
    await expect(loadSampler(out)).rejects.toThrow(/fedsynth.json: sampler.draw is 'coin', expected one of round, bernoulli/);
    model.dispose();
  });
});
