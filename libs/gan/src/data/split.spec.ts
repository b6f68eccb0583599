import { readDataset } from './readers/read-dataset';
import { DEMO_DIR } from './readers/test-paths';
import { splitTrainHoldout } from './split';

describe('splitTrainHoldout', () => {
  it('splits the demo 80/20 by patient, seeded, without overlap', async () => {
    const ds = await readDataset({ format: 'mimic', input: DEMO_DIR });
    const a = splitTrainHoldout(ds, { holdoutFraction: 0.2, seed: 7 });
    const b = splitTrainHoldout(ds, { holdoutFraction: 0.2, seed: 7 });
    const c = splitTrainHoldout(ds, { holdoutFraction: 0.2, seed: 8 });
    expect(a.train.matrix.rows).toBe(80);
    expect(a.holdout.matrix.rows).toBe(20);
    expect(a.holdout.recordIds).toEqual(b.holdout.recordIds);
    expect(a.holdout.recordIds).not.toEqual(c.holdout.recordIds);
    const all = new Set([...a.train.recordIds, ...a.holdout.recordIds]);
    expect(all.size).toBe(100);
    expect(a.train.vocabulary.hash).toBe(ds.vocabulary.hash);
    expect(a.holdout.demographics?.sex).toHaveLength(20);
    // a record's codes travel with it
    const id = a.holdout.recordIds[0];
    const src = ds.recordIds.indexOf(id);
    const width = (m: typeof ds.matrix, r: number) => m.offsets[r + 1] - m.offsets[r];
    expect(width(a.holdout.matrix, 0)).toBe(width(ds.matrix, src));
  });

  it('refuses fractions that leave a part empty', async () => {
    const ds = await readDataset({ format: 'mimic', input: DEMO_DIR });
    expect(() => splitTrainHoldout(ds, { holdoutFraction: 1 })).toThrow(/between 0 and 1/);
    expect(() => splitTrainHoldout(ds, { holdoutFraction: 0.001 })).toThrow(/cannot hold out 0.001 of 100 records/);
  });
});
