import type { Metrics } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import type { Database } from './database';
import { fromJsonColumn, isConstraintError, toJsonColumn } from './json-column';

export type EvaluationStatus = 'collecting' | 'completed' | 'failed';

/** The evaluation of the global model after one round of a run. */
export interface EvaluationKey {
  runId: string;
  round: number;
}

/** One asked site's answer: its aggregate metrics and held-out record count, or why it gave none. */
export interface EvaluationSiteRecord {
  siteId: string;
  /** Held-out records the site scored (the weight of its metrics); 0 for a failure. */
  recordCount: number;
  metrics: Metrics | null;
  error: { code: string; reason: string } | null;
  receivedAt: number;
}

export interface EvaluationSummary {
  siteCount: number;
  recordCount: number;
  failureCount: number;
}

export interface EvaluationRecord extends EvaluationKey {
  status: EvaluationStatus;
  /** Sites sent an EvalTask, sorted. */
  askedSiteIds: string[];
  startedAt: number;
  deadlineAt: number;
  completedAt: number | null;
  /** Record-count-weighted means of the sites' metrics (completed evaluations). */
  metrics: Metrics | null;
  summary: EvaluationSummary | null;
  error: string | null;
  /** Answers received so far, by site id. */
  sites: EvaluationSiteRecord[];
}

interface EvaluationRow {
  run_id: string;
  round_index: number;
  status: EvaluationStatus;
  asked: string;
  started_at: number;
  deadline_at: number;
  completed_at: number | null;
  metrics: string | null;
  site_count: number | null;
  record_count: number | null;
  failure_count: number | null;
  error: string | null;
}

interface SiteRow {
  run_id: string;
  round_index: number;
  site_id: string;
  record_count: number;
  metrics: string | null;
  error_code: string | null;
  error_reason: string | null;
  received_at: number;
}

function keyText(key: EvaluationKey): string {
  return `the evaluation of round ${key.round} of run ${key.runId}`;
}

function toSite(row: SiteRow): EvaluationSiteRecord {
  return {
    siteId: row.site_id,
    recordCount: row.record_count,
    metrics: fromJsonColumn<Metrics>(row.metrics, `evaluation_sites.metrics of site ${row.site_id}`),
    error: row.error_code !== null ? { code: row.error_code, reason: row.error_reason ?? '' } : null,
    receivedAt: row.received_at,
  };
}

function toEvaluation(row: EvaluationRow, sites: EvaluationSiteRecord[]): EvaluationRecord {
  const where = `evaluations.%s of round ${row.round_index} of run ${row.run_id}`;
  return {
    runId: row.run_id,
    round: row.round_index,
    status: row.status,
    askedSiteIds: fromJsonColumn<string[]>(row.asked, where.replace('%s', 'asked')) ?? [],
    startedAt: row.started_at,
    deadlineAt: row.deadline_at,
    completedAt: row.completed_at,
    metrics: fromJsonColumn<Metrics>(row.metrics, where.replace('%s', 'metrics')),
    summary:
      row.site_count !== null && row.record_count !== null && row.failure_count !== null
        ? { siteCount: row.site_count, recordCount: row.record_count, failureCount: row.failure_count }
        : null,
    error: row.error,
    sites,
  };
}

/**
 * Evaluation rounds and the asked sites' answers. Only aggregate numbers are stored: a
 * site's metrics map and its held-out record count, never anything per record.
 */
export class EvaluationRepository {
  private readonly now: () => number;
  private readonly statements;

  constructor(
    private readonly db: Database,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    const key = 'run_id = @runId AND round_index = @round';
    this.statements = {
      insert: db.prepare(
        "INSERT INTO evaluations (run_id, round_index, status, asked, started_at, deadline_at) VALUES (@runId, @round, 'collecting', @asked, @at, @deadlineAt)",
      ),
      get: db.prepare<[EvaluationKey], EvaluationRow>(`SELECT * FROM evaluations WHERE ${key}`),
      list: db.prepare<[string], EvaluationRow>('SELECT * FROM evaluations WHERE run_id = ? ORDER BY round_index'),
      sitesOfRun: db.prepare<[string], SiteRow>('SELECT * FROM evaluation_sites WHERE run_id = ? ORDER BY round_index, site_id'),
      sitesOfRound: db.prepare<[EvaluationKey], SiteRow>(`SELECT * FROM evaluation_sites WHERE ${key} ORDER BY site_id`),
      insertSite: db.prepare(
        'INSERT INTO evaluation_sites (run_id, round_index, site_id, record_count, metrics, error_code, error_reason, received_at) ' +
          'VALUES (@runId, @round, @siteId, @recordCount, @metrics, @errorCode, @errorReason, @at)',
      ),
      complete: db.prepare(
        "UPDATE evaluations SET status = 'completed', completed_at = @at, metrics = @metrics, site_count = @siteCount, " +
          `record_count = @recordCount, failure_count = @failureCount WHERE ${key} AND status = 'collecting'`,
      ),
      fail: db.prepare(
        "UPDATE evaluations SET status = 'failed', completed_at = @at, error = @error, site_count = @siteCount, " +
          `record_count = @recordCount, failure_count = @failureCount WHERE ${key} AND status = 'collecting'`,
      ),
      failUnfinished: db.prepare(
        "UPDATE evaluations SET status = 'failed', completed_at = @at, error = @error WHERE run_id = @runId AND status = 'collecting'",
      ),
      failAllUnfinished: db.prepare("UPDATE evaluations SET status = 'failed', completed_at = @at, error = @error WHERE status = 'collecting'"),
    };
  }

  /** Records that the sites `askedSiteIds` are being sent the global model of `round`. */
  begin(input: EvaluationKey & { askedSiteIds: readonly string[]; deadlineAt: number }): EvaluationRecord {
    try {
      this.statements.insert.run({
        runId: input.runId,
        round: input.round,
        asked: JSON.stringify([...input.askedSiteIds].sort()),
        at: this.now(),
        deadlineAt: input.deadlineAt,
      });
    } catch (error) {
      if (isConstraintError(error, 'PRIMARYKEY')) throw new CoordinatorError(`${keyText(input)} already exists`, 'EVALUATION_EXISTS', { cause: error });
      if (isConstraintError(error, 'FOREIGNKEY')) throw new CoordinatorError(`no run with id ${JSON.stringify(input.runId)}`, 'RUN_NOT_FOUND', { cause: error });
      throw error;
    }
    return this.get(input);
  }

  /** A site's metrics (weighted by its held-out `recordCount`), or its failure. */
  recordSite(
    key: EvaluationKey,
    answer: { siteId: string; recordCount: number; metrics: Metrics } | { siteId: string; error: { code: string; reason: string } },
  ): void {
    const ok = 'metrics' in answer;
    try {
      this.statements.insertSite.run({
        runId: key.runId,
        round: key.round,
        siteId: answer.siteId,
        recordCount: ok ? answer.recordCount : 0,
        metrics: ok ? toJsonColumn(answer.metrics) : null,
        errorCode: ok ? null : answer.error.code,
        errorReason: ok ? null : answer.error.reason,
        at: this.now(),
      });
    } catch (error) {
      if (isConstraintError(error, 'PRIMARYKEY')) {
        throw new CoordinatorError(`site ${answer.siteId} already answered ${keyText(key)}`, 'DUPLICATE_EVALUATION', { cause: error });
      }
      if (isConstraintError(error, 'FOREIGNKEY')) {
        throw new CoordinatorError(`cannot record site ${answer.siteId} for ${keyText(key)}: unknown site or evaluation`, 'INVALID_EVALUATION', { cause: error });
      }
      throw error;
    }
  }

  /** Closes a collecting evaluation with the combined metrics. */
  complete(key: EvaluationKey, result: { metrics: Metrics; summary: EvaluationSummary }): EvaluationRecord {
    const changes = this.statements.complete.run({ ...pickKey(key), at: this.now(), metrics: toJsonColumn(result.metrics), ...result.summary }).changes;
    this.expectChange(changes, key, 'completed');
    return this.get(key);
  }

  /** Closes a collecting evaluation that produced no combined metrics (no site answered). */
  fail(key: EvaluationKey, error: string, summary: EvaluationSummary): EvaluationRecord {
    this.expectChange(this.statements.fail.run({ ...pickKey(key), at: this.now(), error, ...summary }).changes, key, 'failed');
    return this.get(key);
  }

  /** Marks a run's collecting evaluations failed: on restart, those a crash cut short. */
  failUnfinished(runId: string, error: string): number {
    return this.statements.failUnfinished.run({ runId, at: this.now(), error }).changes;
  }

  /**
   * Marks every collecting evaluation failed: at start-up no evaluation is in progress, so
   * those are what a shutdown cut short (including a completed run's last one).
   */
  failAllUnfinished(error: string): number {
    return this.statements.failAllUnfinished.run({ at: this.now(), error }).changes;
  }

  findByKey(key: EvaluationKey): EvaluationRecord | undefined {
    const row = this.statements.get.get(pickKey(key));
    return row ? toEvaluation(row, this.statements.sitesOfRound.all(pickKey(key)).map(toSite)) : undefined;
  }

  get(key: EvaluationKey): EvaluationRecord {
    const evaluation = this.findByKey(key);
    if (!evaluation) throw new CoordinatorError(`no ${keyText(key).replace(/^the /, '')}`, 'EVALUATION_NOT_FOUND');
    return evaluation;
  }

  /** Every evaluation of a run, by round, each with its sites' answers. */
  list(runId: string): EvaluationRecord[] {
    const sites = new Map<number, EvaluationSiteRecord[]>();
    for (const row of this.statements.sitesOfRun.all(runId)) {
      const list = sites.get(row.round_index) ?? [];
      list.push(toSite(row));
      sites.set(row.round_index, list);
    }
    return this.statements.list.all(runId).map((row) => toEvaluation(row, sites.get(row.round_index) ?? []));
  }

  private expectChange(changes: number, key: EvaluationKey, target: EvaluationStatus): void {
    if (changes > 0) return;
    const evaluation = this.get(key);
    throw new CoordinatorError(`${keyText(key)} is ${evaluation.status} and cannot become ${target}`, 'EVALUATION_STATE');
  }
}

/** Only the key fields, so a caller's larger object binds exactly the key. */
function pickKey(key: EvaluationKey): EvaluationKey {
  return { runId: key.runId, round: key.round };
}
