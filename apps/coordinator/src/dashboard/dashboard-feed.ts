import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { RoundService } from '../federation/round.service';
import { SiteSessions } from '../sites/site-sessions';
import { CoordinatorStore } from '../store/coordinator-store';
import { DATABASE } from '../store/store.module';
import type { Database } from '../store/database';
import { DashboardQueries } from './dashboard-queries';
import { runSummaryView, runView, siteViews, type RunSummaryView, type RunView, type SiteView } from './dashboard-views';

/** What every dashboard page gets: sites, runs, and where the audit log stands. */
export interface Overview {
  sites: SiteView[];
  runs: RunSummaryView[];
  lastAuditId: number;
}

/** One connected dashboard page, as the feed sees it. */
export interface FeedClient {
  readonly id: string;
  send(event: 'overview', payload: Overview): void;
  send(event: 'run', payload: RunView | null): void;
  /** False once its login session has ended (logout, expiry): the feed then closes it. */
  authorized(): boolean;
  close(): void;
}

interface ClientState {
  client: FeedClient;
  /** The run whose live view it shows; null: the newest run. */
  watch: string | null;
  lastOverview: string;
  lastRun: string;
}

/** The store is polled this often while a page is open (rounds, runs, audit entries). */
export const FEED_POLL_MS = 500;
/** Heartbeats and site arrivals trigger a refresh within this delay (coalesced). */
const NUDGE_MS = 100;

/**
 * Pushes the dashboard's live data to connected pages. Rounds, runs and the audit log are
 * read from the store (every FEED_POLL_MS while a page is open, and at once after a site
 * event), so the run driver needs no hook and a change made by another process (the CLI
 * revoking a site) shows too. Site progress comes from SiteSessions' heartbeat listener.
 * Each page only gets a message when what it shows changed.
 */
@Injectable()
export class DashboardFeed implements OnModuleDestroy {
  private readonly clients = new Map<string, ClientState>();
  private readonly logger = new Logger('DashboardFeed');
  private readonly queries: DashboardQueries;
  private timer: NodeJS.Timeout | undefined;
  private nudge: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CoordinatorStore) private readonly store: CoordinatorStore,
    @Inject(RoundService) private readonly rounds: RoundService,
    @Inject(SiteSessions) private readonly sessions: SiteSessions,
    @Inject(DATABASE) db: Database,
  ) {
    this.queries = new DashboardQueries(db);
    const soon = () => this.refreshSoon();
    sessions.listen({ siteReady: soon, siteLeft: soon, siteProgress: soon });
  }

  get query(): DashboardQueries {
    return this.queries;
  }

  attach(client: FeedClient): void {
    this.clients.set(client.id, { client, watch: null, lastOverview: '', lastRun: '' });
    this.timer ??= setInterval(() => this.safely(() => this.refresh()), FEED_POLL_MS);
    this.refresh(client.id);
  }

  detach(id: string): void {
    this.clients.delete(id);
    if (this.clients.size === 0) this.stop();
  }

  /** Shows another run's live view (null: the newest run); its view is sent at once. */
  watch(id: string, runId: string | null): void {
    const state = this.clients.get(id);
    if (!state) return;
    state.watch = runId;
    state.lastRun = '';
    this.refresh(id);
  }

  /** Builds the overview, and each watched run's view once, and sends what changed. */
  refresh(onlyId?: string): void {
    const targets = [...this.clients.values()].filter((s) => onlyId === undefined || s.client.id === onlyId);
    if (targets.length === 0) return;
    const overview = this.overview();
    const overviewJson = JSON.stringify(overview);
    const views = new Map<string, string>();
    for (const state of targets) {
      if (!state.client.authorized()) {
        this.clients.delete(state.client.id);
        state.client.close();
        continue;
      }
      if (state.lastOverview !== overviewJson) {
        state.lastOverview = overviewJson;
        state.client.send('overview', overview);
      }
      const runId = state.watch ?? overview.runs[overview.runs.length - 1]?.id ?? null;
      const key = runId ?? '';
      if (!views.has(key)) views.set(key, JSON.stringify(runId ? this.runView(runId) : null));
      const json = views.get(key)!;
      if (state.lastRun !== json) {
        state.lastRun = json;
        state.client.send('run', JSON.parse(json) as RunView | null);
      }
    }
    if (this.clients.size === 0) this.stop();
  }

  overview(): Overview {
    const rounds = (runId: string) => this.store.rounds.list(runId);
    return {
      sites: siteViews({ sites: this.store.sites.list({ includeRevoked: true }), sessions: (id) => this.sessions.get(id), roundsContributed: this.queries.roundsContributed() }),
      runs: this.store.runs.list().map((run) => runSummaryView(run, rounds(run.id))),
      lastAuditId: this.queries.lastAuditId(),
    };
  }

  /** A run's live view; null when there is no such run. */
  runView(runId: string): RunView | null {
    const run = this.store.runs.findById(runId);
    if (!run) return null;
    return runView({
      run,
      rounds: this.store.rounds.list(runId),
      live: this.rounds.liveState(runId),
      progressOf: (siteId) => this.sessions.get(siteId)?.progress,
      evaluations: this.store.evaluations.list(runId),
    });
  }

  onModuleDestroy(): void {
    this.stop();
    this.clients.clear();
  }

  private refreshSoon(): void {
    if (this.clients.size === 0 || this.nudge) return;
    this.nudge = setTimeout(() => {
      this.nudge = undefined;
      this.safely(() => this.refresh());
    }, NUDGE_MS);
  }

  /** A timer's failure is logged, never thrown: it would take the coordinator down. */
  private safely(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.logger.error(`dashboard refresh failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.nudge) clearTimeout(this.nudge);
    this.timer = undefined;
    this.nudge = undefined;
  }
}
