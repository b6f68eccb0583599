import { pooledPrevalence } from './pooled-prevalence';

describe('pooledPrevalence', () => {
  it('is the summed counts over the summed records, not the mean of the sites\' prevalences', () => {
    // Code 0: site a holds it in 5 of 10 records (0.5), b in 3 of 30 (0.1), c in 0 of 10.
    // Pooled: 8 / 50 = 0.16 (the plain mean of the sites' prevalences would be 0.2).
    const out = pooledPrevalence(
      [
        { siteId: 'a', counts: new Float32Array([5, 0, 10]), records: 10 },
        { siteId: 'b', counts: new Float32Array([3, 6, 0]), records: 30 },
        { siteId: 'c', counts: new Float32Array([0, 4, 10]), records: 10 },
      ],
      3,
    );
    expect(out.ok && Array.from(out.prevalence)).toEqual([0.16, 0.2, 0.4].map(Math.fround)); // float32, as sent
    expect(out).toMatchObject({ sites: 3, records: 50 });
  });

  it('names the site whose counts cannot be pooled', () => {
    const ok = (siteId: string) => ({ siteId, counts: new Float32Array([1, 1]), records: 4 });
    // Two sites: each could read the other's counts off the pooled vector.
    expect(pooledPrevalence([ok('a'), ok('b')], 2)).toEqual({ ok: false, reason: '2 site(s) sent code counts; pooling needs at least 3 (with fewer, a site could subtract its own counts from the pooled prevalences and read another\'s)' });
    expect(pooledPrevalence([ok('a'), ok('b'), { siteId: 'c', counts: new Float32Array([1]), records: 4 }], 2)).toEqual({ ok: false, reason: 'site c sent 1 code counts for a vocabulary of 2 codes' });
    expect(pooledPrevalence([ok('a'), ok('b'), { siteId: 'c', counts: new Float32Array([1, 5]), records: 4 }], 2)).toEqual({ ok: false, reason: 'site c sent a count of 5 for code 1, outside [0, 4] (its training records)' });
    expect(pooledPrevalence([ok('a'), ok('b'), { siteId: 'c', counts: new Float32Array([0, 0]), records: 0 }], 2)).toEqual({ ok: false, reason: 'site c sent code counts over 0 training records' });
  });
});
