import type { Database } from './database';
import { fromJsonColumn, toJsonColumn } from './json-column';

/** Who did what to what: admin actions, site connections, rejected updates, round outcomes. */
export interface AuditEntry {
  id: number;
  at: number;
  /** `admin`, `site:<id>`, `coordinator`. */
  actor: string;
  /** Dotted verb, e.g. `site.registered`, `update.rejected`, `round.failed`. */
  action: string;
  /** What it concerns, e.g. a run or site id. */
  subject: string | null;
  details: Readonly<Record<string, unknown>> | null;
}

/** An audit_log row as SQLite returns it (details still JSON text). */
export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  details: string | null;
}

/** A row as an entry, its details parsed. */
export function toAuditEntry(row: AuditRow): AuditEntry {
  return { ...row, details: fromJsonColumn(row.details, `audit_log.details of entry ${row.id}`) };
}

const MAX_PAGE = 1000;

/** The append-only audit log. Entries are never updated or deleted by the coordinator. */
export class AuditRepository {
  private readonly now: () => number;
  private readonly statements;

  constructor(db: Database, options: { now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.statements = {
      insert: db.prepare(
        'INSERT INTO audit_log (at, actor, action, subject, details) VALUES (@at, @actor, @action, @subject, @details)',
      ),
      byId: db.prepare<[number], AuditRow>('SELECT * FROM audit_log WHERE id = ?'),
      page: db.prepare<{ afterId: number; subject: string | null; action: string | null; limit: number }, AuditRow>(
        'SELECT * FROM audit_log WHERE id > @afterId AND (@subject IS NULL OR subject = @subject) ' +
          'AND (@action IS NULL OR action = @action) ORDER BY id LIMIT @limit',
      ),
    };
  }

  append(entry: { actor: string; action: string; subject?: string; details?: Readonly<Record<string, unknown>> }): AuditEntry {
    const id = Number(
      this.statements.insert.run({
        at: this.now(),
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject ?? null,
        details: toJsonColumn(entry.details),
      }).lastInsertRowid,
    );
    return toAuditEntry(this.statements.byId.get(id)!);
  }

  /** Entries in order, paged by id (`afterId`), optionally for one subject or action. */
  list(query: { afterId?: number; subject?: string; action?: string; limit?: number } = {}): AuditEntry[] {
    return this.statements.page
      .all({
        afterId: query.afterId ?? 0,
        subject: query.subject ?? null,
        action: query.action ?? null,
        limit: Math.min(Math.max(query.limit ?? 100, 1), MAX_PAGE),
      })
      .map(toAuditEntry);
  }
}
