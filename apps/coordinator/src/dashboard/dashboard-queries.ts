import { toAuditEntry, type AuditEntry, type AuditRow } from '../store/audit.repository';
import type { Database } from '../store/database';

/** The audit log's filters, each optional; text ones match from the start (`site` finds `site.refused`). */
export interface AuditQuery {
  /** Prefix of the dotted action, e.g. `result` or `run.started`. */
  action?: string;
  /** Prefix of the actor, e.g. `admin` or `site:` (every site). */
  actor?: string;
  /** Prefix of the subject (a run or site id). */
  subject?: string;
  /** Case-insensitive text anywhere in the action, actor, subject or details. */
  text?: string;
  /** Entries older than this id (the next page). */
  beforeId?: number;
  limit?: number;
}

const MAX_AUDIT_PAGE = 500;

/**
 * The dashboard's read-only queries that no repository covers: the audit log filtered and
 * newest first, and rounds contributed per site. Reads only, on the coordinator's
 * connection (WAL: they never block the round loop's writes).
 */
export class DashboardQueries {
  private readonly statements;

  constructor(db: Database) {
    this.statements = {
      audit: db.prepare<Record<string, string | number | null>, AuditRow>(
        'SELECT * FROM audit_log WHERE (@beforeId IS NULL OR id < @beforeId) ' +
          'AND (@action IS NULL OR substr(action, 1, length(@action)) = @action) ' +
          'AND (@actor IS NULL OR substr(actor, 1, length(@actor)) = @actor) ' +
          'AND (@subject IS NULL OR substr(subject, 1, length(@subject)) = @subject) ' +
          "AND (@text IS NULL OR instr(lower(action || ' ' || actor || ' ' || COALESCE(subject, '') || ' ' || COALESCE(details, '')), @text) > 0) " +
          'ORDER BY id DESC LIMIT @limit',
      ),
      actions: db.prepare<[], { action: string }>('SELECT DISTINCT action FROM audit_log ORDER BY action'),
      lastAuditId: db.prepare<[], { id: number | null }>('SELECT MAX(id) AS id FROM audit_log'),
      contributed: db.prepare<[], { site_id: string; rounds: number }>(
        'SELECT site_id, COUNT(*) AS rounds FROM (SELECT DISTINCT site_id, run_id, round_index FROM contributions WHERE accepted = 1) GROUP BY site_id',
      ),
    };
  }

  /** Audit entries matching every given filter, newest first. */
  audit(query: AuditQuery = {}): AuditEntry[] {
    const text = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());
    const limit = Math.min(Math.max(Math.floor(query.limit ?? 200), 1), MAX_AUDIT_PAGE);
    const beforeId = query.beforeId !== undefined && Number.isSafeInteger(query.beforeId) ? query.beforeId : null;
    return this.statements.audit
      .all({
        beforeId,
        action: text(query.action),
        actor: text(query.actor),
        subject: text(query.subject),
        text: text(query.text)?.toLowerCase() ?? null,
        limit,
      })
      .map(toAuditEntry);
  }

  /** Every action in the log, sorted (the filter's choices). */
  auditActions(): string[] {
    return this.statements.actions.all().map((r) => r.action);
  }

  /** Id of the newest audit entry (0 for an empty log): the page refetches when it moves. */
  lastAuditId(): number {
    return this.statements.lastAuditId.get()?.id ?? 0;
  }

  /** Per site id, the rounds (run × round) it contributed an accepted update to. */
  roundsContributed(): Map<string, number> {
    return new Map(this.statements.contributed.all().map((r) => [r.site_id, r.rounds]));
  }
}
