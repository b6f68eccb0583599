import { AuditRepository } from './audit.repository';
import type { Database } from './database';
import { EvaluationRepository } from './evaluation.repository';
import { openDatabase, type OpenDatabaseOptions } from './open-database';
import { PrivacyRepository } from './privacy.repository';
import { RoundRepository } from './round.repository';
import { RunRepository } from './run.repository';
import { SiteRepository } from './site.repository';

/**
 * The coordinator's durable state: one SQLite connection and a repository per table
 * group. Writes that span repositories go through `transaction`, e.g. revoking a site and
 * auditing it, so both happen or neither.
 */
export class CoordinatorStore {
  readonly sites: SiteRepository;
  readonly runs: RunRepository;
  readonly rounds: RoundRepository;
  readonly audit: AuditRepository;
  readonly evaluations: EvaluationRepository;
  readonly privacy: PrivacyRepository;

  constructor(
    readonly db: Database,
    options: { now?: () => number } = {},
  ) {
    this.sites = new SiteRepository(db, options);
    this.runs = new RunRepository(db, options);
    this.rounds = new RoundRepository(db, options);
    this.audit = new AuditRepository(db, options);
    this.evaluations = new EvaluationRepository(db, options);
    this.privacy = new PrivacyRepository(db, options);
  }

  /** Opens (creating and migrating if needed) the database file and wraps it. */
  static open(options: OpenDatabaseOptions): CoordinatorStore {
    return new CoordinatorStore(openDatabase(options), options.now ? { now: options.now } : {});
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (the write lock is taken up front, so two
   * writers never deadlock upgrading a read lock); nested calls become savepoints.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
