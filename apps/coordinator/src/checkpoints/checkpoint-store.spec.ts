import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { plain, randomWeights, SMALL_LAYOUT, tensor } from '../__fixtures__/weights';
import { useTempDir } from '../__fixtures__/temp-dir';
import { CheckpointStore } from './checkpoint-store';

describe('CheckpointStore', () => {
  const dir = useTempDir();
  const weights = randomWeights(3, SMALL_LAYOUT);

  it('saves protobuf bytes under a per-run path and loads them back verified', async () => {
    const store = new CheckpointStore({ directory: dir.path });

    const saved = await store.save({ runId: 'run-1', round: 12, weights });

    expect(saved.path).toBe('run-1/round-000012.weights.pb');
    const bytes = readFileSync(join(dir.path, saved.path));
    expect(saved.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(saved.bytes).toBe(bytes.length);
    expect(readdirSync(join(dir.path, 'run-1'))).toEqual(['round-000012.weights.pb']);
    // A fresh store (a restarted coordinator) reads it.
    expect(plain(await new CheckpointStore({ directory: dir.path }).load(saved))).toEqual(plain(weights));
  });

  it('names strategy-state files apart from weights, and overwrites a retried round', async () => {
    const store = new CheckpointStore({ directory: dir.path });
    const state = await store.save({ runId: 'r', round: 0, kind: 'strategy-state', weights: [tensor('m/w', [1], [0.5])] });
    await store.save({ runId: 'r', round: 0, weights: [tensor('w', [1], [1])] });

    const again = await store.save({ runId: 'r', round: 0, weights: [tensor('w', [1], [2])] });

    expect(state.path).toBe('r/round-000000.strategy-state.pb');
    expect(plain(await store.load(again))).toEqual([['w', [1], [2]]]);
    expect(readdirSync(join(dir.path, 'r')).sort()).toEqual(['round-000000.strategy-state.pb', 'round-000000.weights.pb']);
  });

  it('refuses a corrupted file, naming it and both hashes', async () => {
    const store = new CheckpointStore({ directory: dir.path });
    const saved = await store.save({ runId: 'r', round: 1, weights });
    const file = join(dir.path, saved.path);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(file, bytes);

    const load = store.load(saved);

    await expect(load).rejects.toMatchObject({ code: 'CHECKPOINT_CORRUPT' });
    await expect(store.load(saved)).rejects.toThrow(
      `checkpoint ${file} is corrupt: its sha256 is ${createHash('sha256').update(bytes).digest('hex')}, the round recorded ${saved.sha256}`,
    );
  });

  it('refuses bytes that match their hash but are not a weight set', async () => {
    const store = new CheckpointStore({ directory: dir.path });
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0x01]);
    writeFileSync(join(dir.path, 'bad.pb'), garbage);

    await expect(store.load({ path: 'bad.pb', sha256: createHash('sha256').update(garbage).digest('hex') })).rejects.toThrow(
      new RegExp(`checkpoint ${join(dir.path, 'bad.pb')} is corrupt: `),
    );
  });

  it('reports a missing file by name', async () => {
    const store = new CheckpointStore({ directory: dir.path });
    await expect(store.load({ path: 'r/round-000001.weights.pb', sha256: '00' })).rejects.toMatchObject({
      code: 'CHECKPOINT_MISSING',
      message: `checkpoint ${join(dir.path, 'r/round-000001.weights.pb')} is missing`,
    });
  });

  it('refuses paths outside its directory, bad run ids and non-finite weights', async () => {
    const store = new CheckpointStore({ directory: dir.path });
    await expect(store.load({ path: '../etc/passwd', sha256: '' })).rejects.toThrow('is outside');
    await expect(store.load({ path: '/etc/passwd', sha256: '' })).rejects.toThrow('is outside');
    await expect(store.save({ runId: '../x', round: 0, weights })).rejects.toThrow('run id "../x" cannot name a checkpoint directory');
    await expect(store.save({ runId: 'r', round: 0, weights: [tensor('w', [2], [1, NaN])] })).rejects.toMatchObject({
      code: 'INVALID_CHECKPOINT',
    });
    expect(readdirSync(dir.path)).toEqual([]);
  });
});
