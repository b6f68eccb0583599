import { matrixFromRows } from './binary-matrix';
import type { Dataset } from './dataset';
import { summarizeDataset } from './dataset-summary';
import { createVocabulary } from './vocabulary';

describe('summarizeDataset', () => {
  it('computes counts, codes per record and top codes by hand-checked example', () => {
    const ds: Dataset = {
      recordIds: ['a', 'b', 'c', 'd'],
      vocabulary: createVocabulary(['x', 'y', 'z']),
      matrix: matrixFromRows([[0, 1], [0], [0, 1, 2], []], 3),
      stats: { rows: 7, emptyCodes: 1, droppedCodes: 0, files: [] },
      demographics: { sex: ['F', 'M', 'F', ''], age: [30, null, 70, 50] },
    };
    const s = summarizeDataset(ds, { top: 2, descriptions: new Map([['x', 'Ex']]) });
    expect(s.records).toBe(4);
    expect(s.codes).toBe(3);
    expect(s.codesPerRecord).toEqual({ mean: 1.5, median: 1.5, min: 0, max: 3 });
    expect(s.emptyRecords).toBe(1);
    expect(s.density).toBeCloseTo(6 / 12);
    expect(s.topCodes).toEqual([
      { code: 'x', records: 3, share: 0.75, description: 'Ex' },
      { code: 'y', records: 2, share: 0.5 },
    ]);
    expect(s.demographics).toEqual({ female: 2, male: 1, unknownSex: 1, ageMedian: 50, ageKnown: 3 });
    // aggregates only: no record id appears anywhere in the summary
    expect(JSON.stringify(s)).not.toMatch(/"a"|"b"|"c"|"d"/);
  });
});
