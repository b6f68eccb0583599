import { m } from './__fixtures__/matrices';
import { columnLabels } from './column-labels';

describe('columnLabels', () => {
  it('marks the records holding a code', () => {
    expect(Array.from(columnLabels(m([[0, 2], [1], [2, 3], []], 4), 2))).toEqual([1, 0, 1, 0]);
  });
});
