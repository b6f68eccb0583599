import { selectionSize, selectSites, siteSeed, checkSelectionOptions } from './site-selection';

const sites = (n: number) => Array.from({ length: n }, (_, i) => ({ siteId: `site-${String(i).padStart(2, '0')}`, recordCount: 100 + i }));
const ids = (list: Array<{ siteId: string }>) => list.map((s) => s.siteId);

describe('selectionSize', () => {
  it('is ⌈fraction · n⌉, at least minSites, at most n', () => {
    expect(selectionSize(10, { fraction: 0.3, minSites: 1 })).toBe(3);
    expect(selectionSize(10, { fraction: 0.25, minSites: 1 })).toBe(3);
    expect(selectionSize(10, { fraction: 0.1, minSites: 4 })).toBe(4);
    expect(selectionSize(2, { fraction: 0.5, minSites: 4 })).toBe(2);
    expect(selectionSize(0, { fraction: 1, minSites: 1 })).toBe(0);
  });
});

describe('selectSites', () => {
  const options = { fraction: 0.5, minSites: 1, seed: 17, round: 3, purpose: 'train' as const };

  it('selects every site, sorted, when fraction is 1', () => {
    const available = sites(5).reverse();
    expect(ids(selectSites(available, { ...options, fraction: 1 }))).toEqual(ids(sites(5)));
  });

  it('selects a seeded subset that does not depend on the listing order', () => {
    const available = sites(10);

    const chosen = selectSites(available, options);

    expect(chosen).toHaveLength(5);
    expect(ids(chosen)).toEqual([...ids(chosen)].sort());
    expect(selectSites(available.slice().reverse(), options)).toEqual(chosen);
    expect(selectSites(available, options)).toEqual(chosen);
  });

  it('varies with the round and the seed', () => {
    const available = sites(10);
    const picks = new Set([1, 2, 3, 4, 5, 6].map((round) => ids(selectSites(available, { ...options, round })).join()));
    expect(picks.size).toBeGreaterThan(1);
    const bySeed = new Set([1, 2, 3, 4, 5, 6].map((seed) => ids(selectSites(available, { ...options, seed })).join()));
    expect(bySeed.size).toBeGreaterThan(1);
  });

  it('refuses a site listed twice', () => {
    expect(() => selectSites([...sites(2), sites(1)[0]!], options)).toThrow('site "site-00" is listed twice');
  });
});

describe('siteSeed and option checks', () => {
  it('gives each site and round its own seed', () => {
    expect(siteSeed(1, 0, 'a')).not.toBe(siteSeed(1, 0, 'b'));
    expect(siteSeed(1, 0, 'a')).not.toBe(siteSeed(1, 1, 'a'));
    expect(siteSeed(1, 0, 'a')).toBe(siteSeed(1, 0, 'a'));
  });

  it('lists every bad selection option', () => {
    expect(() => checkSelectionOptions({ fraction: 0, minSites: 0, seed: -1 }, 'training selection')).toThrow(
      'training selection: fraction must be in (0, 1], got 0; minSites must be an integer ≥ 1, got 0; seed must be a uint32, got -1',
    );
  });
});
