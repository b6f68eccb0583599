import * as tf from '@tensorflow/tfjs';
import { vocabularyHash } from '@fedsynth/gan';
import type { SiteAgentEvent } from '@fedsynth/site-agent';
import { readFileSync } from 'node:fs';
import { E2E_ADMIN_HEADERS, startE2eFederation, type E2eFederation } from '../__fixtures__/e2e-federation';
import { fetchInTestRealm } from '../__fixtures__/fetch-in-test-realm';
import type { RunRecord } from '../store/run.repository';

const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];
/** 12 ICD-9 categories in canonical order: common ones of the demo, E878 (5 patients) and V01 (none). */
const FIXED = ['038', '250', '276', '401', '427', '428', '518', '584', '995', 'E878', 'V01', 'V45'];
const TINY_MODEL = { modelFamily: 'medgan', model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] }, train: { localEpochs: 1, batchSize: 16, learningRate: 1e-3, seed: 7 } };

/** Each site's categories, read here from its file (patient,code), independently of the readers. */
function categoriesOf(file: string): Set<string> {
  const codes = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[1]);
  return new Set(codes.map((c) => (c.startsWith('E') ? c.slice(0, 4) : c.slice(0, 3))));
}

describe('a run on a fixed vocabulary (real coordinator, three real site agents)', () => {
  let fed: E2eFederation;
  const events = new Map<string, SiteAgentEvent[]>(SITES.map((s) => [s, []]));
  const logs = new Map<string, string[]>(SITES.map((s) => [s, []]));

  /** Starts the run and polls until it is no longer running. */
  const runToEnd = async (runId: string) => (await fed.runToEnd(runId, 50_000))['run'] as RunRecord;

  beforeAll(async () => {
    fed = await startE2eFederation({ prefix: 'fedsynth-e2e-fixed-', sites: SITES });
    const agents = SITES.map((siteId) =>
      // The fixture's k = 2 (minCodeCount): the union would be built from codes held by ≥ 2 records; a fixed list ignores it.
      fed.agent(siteId, { onEvent: (event) => events.get(siteId)!.push(event), log: (line) => logs.get(siteId)!.push(line) }),
    );
    await Promise.all(agents.map((a) => a.start()));
  });

  afterAll(() => fed?.close());

  it('trains on exactly the fixed codes, in order: stored on the run, in the pulled generator\'s fedsynth.json and its output width', async () => {
    // The list is a real test of "fixed": every site holds some of it and many codes outside it.
    for (const file of fed.files) {
      const held = categoriesOf(file);
      expect(FIXED.some((code) => held.has(code))).toBe(true);
      expect([...held].filter((code) => !FIXED.includes(code)).length).toBeGreaterThan(20);
    }
    const created = await fed.api('POST', '/api/runs', {
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 1 }], minSites: 3, roundDeadlineMs: 60_000, maxRoundRetries: 0 },
      options: { ...TINY_MODEL, vocabulary: { codeLevel: 'category', minCodeCount: 2, fixed: FIXED } },
    });
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    expect((created.body['options'] as { vocabulary: unknown }).vocabulary).toEqual({ codeLevel: 'category', minCodeCount: 2, fixed: FIXED });

    const run = await runToEnd(runId);

    expect(run).toMatchObject({ status: 'completed', vocabulary: FIXED, vocabularyHash: vocabularyHash(FIXED) });
    for (const siteId of SITES) {
      const agreed = events.get(siteId)!.find((e) => e.type === 'vocabulary' && e.runId === runId);
      expect(agreed).toMatchObject({ source: 'fixed', size: FIXED.length, coveredRecords: expect.any(Number), dropped: { codes: expect.any(Number), records: expect.any(Number) } });
      const dropped = (agreed as Extract<SiteAgentEvent, { type: 'vocabulary' }>).dropped;
      expect(dropped.codes).toBeGreaterThan(20);
      // The site's log says how much was dropped with counts alone: every variable part is a number.
      const lines = logs.get(siteId)!.filter((l) => l.includes('vocabulary'));
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^site ${siteId}: fixed vocabulary of 12 codes covers \\d+ of \\d+ records; ${dropped.codes} of this site's codes are outside it and dropped \\(${dropped.records} records lost at least one code\\)$`)),
      ]);
    }

    const headers = E2E_ADMIN_HEADERS;
    const base = `${fed.coordinator.url}/api/runs/${runId}/generator`;
    const manifest = (await (await fetch(`${base}/fedsynth.json`, { headers })).json()) as { vocabulary: { size: number; hash: string; codes: string[] }; sampler: { noiseDim: number } };
    expect(manifest.vocabulary).toEqual({ size: FIXED.length, hash: vocabularyHash(FIXED), codes: FIXED });
    const generator = await tf.loadLayersModel(tf.io.http(`${base}/model.json`, { requestInit: { headers }, fetchFunc: fetchInTestRealm as unknown as typeof fetch }));
    const width = tf.tidy(() => (generator.predict(tf.randomNormal([2, manifest.sampler.noiseDim], 0, 1, 'float32', 3)) as tf.Tensor).shape[1]);
    generator.dispose();
    expect(width).toBe(FIXED.length);
  });

  it('fails a run whose fixed codes a site does not hold, with the sites\' reasons; refuses bad codes at creation', async () => {
    const absent = ['001', 'V01']; // no demo patient holds either category
    const created = await fed.api('POST', '/api/runs', {
      plan: { phases: [{ phase: 'gan', rounds: 1 }], minSites: 3, roundDeadlineMs: 60_000, maxRoundRetries: 0 },
      options: { ...TINY_MODEL, vocabulary: { codeLevel: 'category', fixed: absent } },
    });
    const run = await runToEnd(created.body['id'] as string);
    expect(run.status).toBe('failed');
    expect(run.vocabulary).toBeNull();
    for (const siteId of SITES) {
      expect(run.error).toMatch(new RegExp(`${siteId}: refused the vocabulary: none of this site's \\d+ training records holds a code of the fixed vocabulary \\(2 codes\\)`));
    }

    const bad = await fed.api('POST', '/api/runs', { options: { vocabulary: { codeLevel: 'category', fixed: ['401', '4019', '401'] } } });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/vocabulary\.fixed\[1\] "4019" is not a category code.*vocabulary\.fixed\[2\] "401" repeats vocabulary\.fixed\[0\]/);
  });
});
