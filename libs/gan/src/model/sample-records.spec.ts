import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { matrixFromRows } from '../data/binary-matrix';
import { readDataset } from '../data/readers/read-dataset';
import { createVocabulary } from '../data/vocabulary';
import type { Sampler } from './sampler';
import { sampleRecords } from './sample-records';
import { syntheticIds, writeSyntheticCsv } from './synthetic-csv';

describe('sampling and synthetic CSV', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  /** Code c has probability noise[0] > 0 ? 0.9 : 0.1 for even c and 0.5 exactly for c = 1. */
  const sampler: Sampler = {
    noiseDim: 2,
    vocabularySize: 4,
    probabilities: (noise) =>
      tf.tidy(() => {
        const on = tf.cast(tf.greater(noise.slice([0, 0], [-1, 1]), 0), 'float32');
        const even = tf.add(tf.mul(on, 0.8), 0.1);
        return tf.concat([even, tf.fill([noise.shape[0], 1], 0.5), even, tf.fill([noise.shape[0], 1], 0.2)], 1) as tf.Tensor2D;
      }),
  };

  it('rounds probabilities to 0/1 (0.5 rounds up), in batches, reproducibly for a seed', () => {
    const m = sampleRecords(sampler, { count: 250, seed: 3, batchSize: 64, draw: 'round' });
    expect(m.rows).toBe(250);
    expect(m.cols).toBe(4);
    const rows = Array.from({ length: m.rows }, (_, r) => Array.from(m.indices.subarray(m.offsets[r], m.offsets[r + 1])));
    for (const row of rows) expect([[1], [0, 1, 2]]).toContainEqual(row);
    const withEven = rows.filter((r) => r.length === 3).length;
    expect(withEven).toBeGreaterThan(90);
    expect(withEven).toBeLessThan(160);
    expect(sampleRecords(sampler, { count: 250, seed: 3, batchSize: 100, draw: 'round' }).indices).toEqual(m.indices);
    expect(sampleRecords(sampler, { count: 250, seed: 4, draw: 'round' }).indices).not.toEqual(m.indices);
    expect(sampleRecords(sampler, { count: 5, threshold: 0.6, draw: 'round' }).indices.every((c) => c !== 1)).toBe(true);
    expect(() => sampleRecords(sampler, { count: -1 })).toThrow(/whole number/);
    expect(tf.memory().numTensors).toBe(0);
  });

  it("draws each code with its probability by default (draw 'bernoulli'), from the same noise, reproducibly", () => {
    const count = 4000;
    const m = sampleRecords(sampler, { count, seed: 3, batchSize: 300 });
    const perCode = [0, 0, 0, 0];
    for (const c of m.indices) perCode[c]++;
    // Expected prevalences: even codes ½·0.9 + ½·0.1 = 0.5, code 1 0.5, code 3 0.2 (rounding: 0).
    // Binomial sd at n = 4000 is ≤ 0.008; closeTo(x, 1) allows ±0.05, six sd.
    expect(perCode.map((k) => k / count)).toEqual([expect.closeTo(0.5, 1), expect.closeTo(0.5, 1), expect.closeTo(0.5, 1), expect.closeTo(0.2, 1)]);
    // Codes 0 and 2 share a probability per record and are drawn independently.
    const both = Array.from({ length: count }, (_, r) => m.indices.subarray(m.offsets[r], m.offsets[r + 1])).filter((row) => row.includes(0) && row.includes(2)).length;
    expect(Math.abs(both / count - (0.5 * 0.81 + 0.5 * 0.01))).toBeLessThan(0.04);
    // Batching does not change the records; the seed does; rounding is untouched by the option.
    expect(sampleRecords(sampler, { count, seed: 3, batchSize: 1000, draw: 'bernoulli' }).indices).toEqual(m.indices);
    expect(sampleRecords(sampler, { count, seed: 4, draw: 'bernoulli' }).indices).not.toEqual(m.indices);
    expect(sampleRecords(sampler, { count, seed: 3, draw: 'bernoulli' }).indices).toEqual(m.indices);
    expect(() => sampleRecords(sampler, { count: 5, draw: 'coin' as never })).toThrow(/draw must be one of round, bernoulli, got 'coin'/);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('writes long and wide CSV that fedsynth reads back as the same records', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fedsynth-sample-'));
    try {
      const vocabulary = createVocabulary(['250.00', '401.9', 'V45,81', '428.0']);
      const m = matrixFromRows([[0, 2], [], [1, 2, 3], [3]], 4); // column 3 is 'V45,81'
      const long = join(dir, 'long.csv');
      const wide = join(dir, 'wide.csv');
      expect(await writeSyntheticCsv(long, m, vocabulary, { layout: 'long' })).toEqual({ records: 4, rows: 6, emptyRecords: 1 });
      expect(await writeSyntheticCsv(wide, m, vocabulary, { layout: 'wide', idPrefix: 'S' })).toEqual({ records: 4, rows: 4, emptyRecords: 1 });
      const longText = await readFile(long, 'utf8');
      expect(longText.split('\n').slice(0, 3)).toEqual(['patient,code', 'synthetic-000001,250.00', 'synthetic-000001,428.0']);
      expect((await readFile(wide, 'utf8')).split('\n').slice(0, 3)).toEqual(['patient,250.00,401.9,428.0,"V45,81"', 'S000001,1,0,1,0', 'S000002,0,0,0,0']);
      const fromWide = await readDataset({ format: 'wide', input: wide, vocabulary });
      expect(fromWide.recordIds).toEqual(['S000001', 'S000002', 'S000003', 'S000004']);
      expect(Array.from(fromWide.matrix.indices)).toEqual(Array.from(m.indices));
      const fromLong = await readDataset({ format: 'long', input: long, vocabulary });
      // The empty record has no row in the long layout.
      expect(fromLong.matrix.rows).toBe(3);
      expect(Array.from(fromLong.matrix.indices)).toEqual(Array.from(m.indices));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(syntheticIds(1_234_567)(0)).toBe('synthetic-0000001');
  });
});
