import type { DpRandomness } from '../dp-randomness';

/**
 * Poisson sampling: every record joins the batch independently with probability q, so the
 * batch size varies (mean q·records). This is the sampling the RDP accountant's subsampled
 * Gaussian analysis assumes. Instead of one coin per record it draws the gaps between
 * chosen records, which are geometric: P(gap = k) = (1 − q)^k·q, so a step costs
 * O(batch) draws, not O(records). Returns the chosen row indices in increasing order.
 */
export function poissonSample(records: number, sampleRate: number, random: DpRandomness): Int32Array {
  if (!Number.isInteger(records) || records < 0) throw new RangeError(`records must be a whole number ≥ 0, got ${records}`);
  if (!(sampleRate > 0 && sampleRate <= 1)) throw new RangeError(`sampleRate must be in (0, 1], got ${sampleRate}`);
  if (sampleRate === 1) return Int32Array.from({ length: records }, (_, i) => i);
  const chosen: number[] = [];
  const logKeep = Math.log1p(-sampleRate);
  // The first chosen index is itself a gap from −1; floor(log u / log(1 − q)) is geometric.
  for (let index = Math.floor(Math.log(random.uniform()) / logKeep); index < records; index += 1 + Math.floor(Math.log(random.uniform()) / logKeep)) {
    chosen.push(index);
  }
  return Int32Array.from(chosen);
}
