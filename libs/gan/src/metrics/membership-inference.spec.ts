import { m } from './__fixtures__/matrices';
import { HammingIndex } from './hamming-neighbours';
import { membershipInference } from './membership-inference';

describe('membershipInference', () => {
  // One synthetic record; distances: members 0 and 6, non-members 1 and 8.
  const synthetic = new HammingIndex(m([[0, 1, 2, 3, 4, 5, 6]], 10));
  const members = m([[0, 1, 2, 3, 4, 5, 6], [0]], 10);
  const nonMembers = m([[0, 1, 2, 3, 4, 5], [7]], 10);

  it('gives no advantage when members and non-members are hit alike', () => {
    // Execute: θ = 5 hits one member (0) and one non-member (1).
    const result = membershipInference(members, nonMembers, synthetic, 5);
    // Assert: TP 1, FP 1, FN 1.
    expect(result).toEqual({ threshold: 5, precision: 0.5, recall: 0.5, falsePositiveRate: 0.5, f1: 0.5, advantage: 0 });
  });

  it('shows the advantage of a tighter threshold', () => {
    // θ = 0 hits only the exact copy: TP 1, FP 0, FN 1.
    const result = membershipInference(members, nonMembers, synthetic, 0);
    expect(result.advantage).toBe(0.5);
    expect(result.precision).toBe(1);
    expect(result.f1).toBeCloseTo(2 / 3, 12);
  });
});
