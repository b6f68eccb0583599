import { m } from './__fixtures__/matrices';
import { mostCommonCodes, prevalence } from './prevalence';

describe('prevalence', () => {
  it('is the share of records holding each code', () => {
    // Prepare: code 1 in 3 of 4 records, codes 0 and 2 in one, code 3 in none.
    const x = m([[0, 1], [1], [1, 2], []], 4);
    // Execute
    const p = prevalence(x);
    // Assert
    expect(Array.from(p)).toEqual([0.25, 0.75, 0.25, 0]);
  });

  it('ranks codes by prevalence, ties to the lower column, never unused codes', () => {
    const p = [0.25, 0.75, 0.25, 0];
    expect(mostCommonCodes(p, 2)).toEqual([1, 0]);
    expect(mostCommonCodes(p, 10)).toEqual([1, 0, 2]);
  });
});
