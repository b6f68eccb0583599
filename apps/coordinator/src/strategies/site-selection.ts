import { CoordinatorError } from '../errors/coordinator-error';
import { deriveSeed, seededShuffle } from '../common/seeded-random';
import type { AvailableSite } from './strategy';

/** How many sites take part: a fraction of those available, but at least `minSites`. */
export interface SiteSelectionOptions {
  /** In (0, 1]; 1 selects every available site. */
  fraction: number;
  /** At least this many are selected when available (≥ 1). */
  minSites: number;
  /** With the round number, fixes which sites a fraction selects (replayable). */
  seed: number;
}

export function checkSelectionOptions(options: SiteSelectionOptions, label: string): void {
  const problems: string[] = [];
  if (!(options.fraction > 0 && options.fraction <= 1)) problems.push(`fraction must be in (0, 1], got ${options.fraction}`);
  if (!Number.isInteger(options.minSites) || options.minSites < 1) {
    problems.push(`minSites must be an integer ≥ 1, got ${options.minSites}`);
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    problems.push(`seed must be a uint32, got ${options.seed}`);
  }
  if (problems.length > 0) throw new CoordinatorError(`${label}: ${problems.join('; ')}`, 'INVALID_OPTION');
}

/** ⌈fraction · n⌉, at least minSites, at most n. */
export function selectionSize(available: number, options: Pick<SiteSelectionOptions, 'fraction' | 'minSites'>): number {
  // The epsilon keeps 0.3 · 10 (= 3.0000000000000004) from rounding up to 4.
  const wanted = Math.max(options.minSites, Math.ceil(options.fraction * available - 1e-9));
  return Math.min(available, wanted);
}

/**
 * The sites taking part in one round, sorted by id. Deterministic in (seed, purpose,
 * round) and independent of the order `available` is listed in: the candidates are sorted
 * before the seeded shuffle. Returns fewer than minSites only when fewer are available
 * (the round state machine decides whether that is a quorum).
 */
export function selectSites(
  available: readonly AvailableSite[],
  options: SiteSelectionOptions & { round: number; purpose: 'train' | 'evaluate' },
): AvailableSite[] {
  const seen = new Set<string>();
  for (const site of available) {
    if (seen.has(site.siteId)) throw new CoordinatorError(`site ${JSON.stringify(site.siteId)} is listed twice`, 'DUPLICATE_SITE');
    seen.add(site.siteId);
  }
  const sorted = available.slice().sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
  const size = selectionSize(sorted.length, options);
  if (size === sorted.length) return sorted;
  const chosen = seededShuffle(sorted, deriveSeed(options.seed, options.purpose, options.round)).slice(0, size);
  return chosen.sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
}

/**
 * The seed a site trains with in a round: distinct per site and round, so sites do not
 * draw the same noise and minibatch order, yet reproducible from the run's seed.
 */
export function siteSeed(runSeed: number, round: number, siteId: string): number {
  return deriveSeed(runSeed, round, siteId);
}
