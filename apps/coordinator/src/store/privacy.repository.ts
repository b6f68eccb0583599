import type { Database } from './database';

/** What a site reported of its privacy loss after training for one attempt of a round. */
export interface SitePrivacyRecord {
  runId: string;
  round: number;
  attempt: number;
  siteId: string;
  /** ε the site had spent in total (all rounds so far, and its vocabulary release), at `delta`. */
  epsilon: number;
  delta: number;
  /** DP-SGD steps the site took on its records so far. */
  steps: number;
  receivedAt: number;
}

/** The latest report of one site in a run: its ε is the most it has spent. */
export interface SitePrivacySummary {
  siteId: string;
  epsilon: number;
  delta: number;
  steps: number;
  /** Round of the latest report. */
  round: number;
}

/** A run's privacy loss as its sites reported it. */
export interface RunPrivacySummary {
  /** Per site, the latest report, sorted by site id. */
  sites: SitePrivacySummary[];
  /** The largest ε any site reported (null before any report), and its δ. */
  maxEpsilon: number | null;
  delta: number | null;
}

interface Row {
  run_id: string;
  round_index: number;
  attempt: number;
  site_id: string;
  epsilon: number;
  delta: number;
  steps: number;
  received_at: number;
}

function toRecord(row: Row): SitePrivacyRecord {
  return {
    runId: row.run_id,
    round: row.round_index,
    attempt: row.attempt,
    siteId: row.site_id,
    epsilon: row.epsilon,
    delta: row.delta,
    steps: row.steps,
    receivedAt: row.received_at,
  };
}

/**
 * ε spent per site per round (table site_privacy). Sites compute it; the coordinator only
 * keeps and shows what they report, so a privacy officer can follow a run and the exported
 * generator can say what it cost.
 */
export class PrivacyRepository {
  private readonly now: () => number;
  private readonly statements;

  constructor(db: Database, options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.statements = {
      insert: db.prepare(
        'INSERT OR REPLACE INTO site_privacy (run_id, round_index, attempt, site_id, epsilon, delta, steps, received_at) ' +
          'VALUES (@runId, @round, @attempt, @siteId, @epsilon, @delta, @steps, @receivedAt)',
      ),
      ofRun: db.prepare<[string], Row>('SELECT * FROM site_privacy WHERE run_id = ? ORDER BY round_index, attempt, site_id'),
    };
  }

  /** Records a site's report for an attempt (a repeated report replaces the earlier one). */
  record(input: Omit<SitePrivacyRecord, 'receivedAt'> & { receivedAt?: number }): void {
    this.statements.insert.run({ ...input, receivedAt: input.receivedAt ?? this.now() });
  }

  /** Every report of a run, by round, attempt and site. */
  list(runId: string): SitePrivacyRecord[] {
    return this.statements.ofRun.all(runId).map(toRecord);
  }

  /** Per site its latest report (ε only grows), and the run's largest ε. */
  summary(runId: string): RunPrivacySummary {
    const latest = new Map<string, SitePrivacySummary>();
    for (const r of this.list(runId)) {
      const seen = latest.get(r.siteId);
      // ε is cumulative at a site: keep the largest, which is also the latest.
      if (!seen || r.epsilon >= seen.epsilon) latest.set(r.siteId, { siteId: r.siteId, epsilon: r.epsilon, delta: r.delta, steps: r.steps, round: r.round });
    }
    const sites = [...latest.values()].sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
    const top = sites.reduce<SitePrivacySummary | undefined>((best, s) => (!best || s.epsilon > best.epsilon ? s : best), undefined);
    return { sites, maxEpsilon: top ? top.epsilon : null, delta: top ? top.delta : null };
  }
}
