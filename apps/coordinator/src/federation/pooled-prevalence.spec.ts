import { pooledPrevalence } from './pooled-prevalence';

describe('pooledPrevalence', () => {
  it('is the summed counts over the summed records, not the mean of the sites\' prevalences', () => {
    // Site a: 10 records, code 0 in 5 (0.5); site b: 30 records, code 0 in 3 (0.1).
    // Pooled: 8 / 40 = 0.2 (the plain mean of 0.5 and 0.1 would be 0.3).
    const out = pooledPrevalence(
      [
        { siteId: 'a', counts: new Float32Array([5, 0, 10]), records: 10 },
        { siteId: 'b', counts: new Float32Array([3, 6, 0]), records: 30 },
      ],
      3,
    );
    expect(out.ok && Array.from(out.prevalence)).toEqual([0.2, 0.15, 0.25].map(Math.fround)); // float32, as sent
    expect(out).toMatchObject({ sites: 2, records: 40 });
  });

  it('names the site whose counts cannot be pooled', () => {
    expect(pooledPrevalence([], 2)).toEqual({ ok: false, reason: 'no site sent its code counts' });
    expect(pooledPrevalence([{ siteId: 'a', counts: new Float32Array([1]), records: 4 }], 2)).toEqual({ ok: false, reason: 'site a sent 1 code counts for a vocabulary of 2 codes' });
    expect(pooledPrevalence([{ siteId: 'a', counts: new Float32Array([1, 5]), records: 4 }], 2)).toEqual({ ok: false, reason: 'site a sent a count of 5 for code 1, outside [0, 4] (its training records)' });
    expect(pooledPrevalence([{ siteId: 'a', counts: new Float32Array([0, 0]), records: 0 }], 2)).toEqual({ ok: false, reason: 'site a sent code counts over 0 training records' });
  });
});
