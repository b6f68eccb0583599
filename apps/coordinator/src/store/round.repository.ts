import type { Metrics, Phase } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import type { Database } from './database';
import { fromJsonColumn, isConstraintError, toJsonColumn } from './json-column';

export type RoundStatus = 'open' | 'aggregating' | 'completed' | 'failed';

/** One attempt of one round of a run. */
export interface RoundKey {
  runId: string;
  round: number;
  attempt: number;
}

/** A file written for a round, and the sha256 (hex) it must still have when read. */
export interface FileRef {
  path: string;
  sha256: string;
}

export interface RoundRecord extends RoundKey {
  phase: Phase;
  status: RoundStatus;
  startedAt: number;
  deadlineAt: number | null;
  completedAt: number | null;
  /** The global weights after this round. */
  checkpoint: FileRef | null;
  /** The strategy state after this round (FedAdam moments), if the strategy has one. */
  strategyState: FileRef | null;
  /** Aggregate metrics as JSON (training means, counts, evaluation). */
  metrics: Readonly<Record<string, unknown>> | null;
  error: string | null;
}

export interface ContributionRecord extends RoundKey {
  siteId: string;
  recordCount: number;
  accepted: boolean;
  rejection: { code: string; reason: string } | null;
  metrics: Metrics | null;
  receivedAt: number;
}

/** A site's answer to record: accepted, or rejected with a code and reason. */
export interface ContributionInput extends RoundKey {
  siteId: string;
  recordCount: number;
  accepted: boolean;
  rejection?: { code: string; reason: string };
  metrics?: Metrics;
  /** When the coordinator received the answer; default now (rows written later keep the true time). */
  receivedAt?: number;
}

interface RoundRow {
  run_id: string;
  round_index: number;
  attempt: number;
  phase: Phase;
  status: RoundStatus;
  started_at: number;
  deadline_at: number | null;
  completed_at: number | null;
  checkpoint_path: string | null;
  checkpoint_sha256: string | null;
  state_path: string | null;
  state_sha256: string | null;
  metrics: string | null;
  error: string | null;
}

interface ContributionRow {
  run_id: string;
  round_index: number;
  attempt: number;
  site_id: string;
  record_count: number;
  accepted: number;
  rejection_code: string | null;
  rejection_reason: string | null;
  metrics: string | null;
  received_at: number;
}

function fileRef(path: string | null, sha256: string | null): FileRef | null {
  return path !== null && sha256 !== null ? { path, sha256 } : null;
}

function keyText(key: RoundKey): string {
  return `round ${key.round} (attempt ${key.attempt}) of run ${key.runId}`;
}

function toRound(row: RoundRow): RoundRecord {
  return {
    runId: row.run_id,
    round: row.round_index,
    attempt: row.attempt,
    phase: row.phase,
    status: row.status,
    startedAt: row.started_at,
    deadlineAt: row.deadline_at,
    completedAt: row.completed_at,
    checkpoint: fileRef(row.checkpoint_path, row.checkpoint_sha256),
    strategyState: fileRef(row.state_path, row.state_sha256),
    metrics: fromJsonColumn(row.metrics, `rounds.metrics of round ${row.round_index} of run ${row.run_id}`),
    error: row.error,
  };
}

function toContribution(row: ContributionRow): ContributionRecord {
  return {
    runId: row.run_id,
    round: row.round_index,
    attempt: row.attempt,
    siteId: row.site_id,
    recordCount: row.record_count,
    accepted: row.accepted === 1,
    rejection: row.rejection_code !== null ? { code: row.rejection_code, reason: row.rejection_reason ?? '' } : null,
    metrics: fromJsonColumn(row.metrics, `contributions.metrics of site ${row.site_id}`),
    receivedAt: row.received_at,
  };
}

/**
 * Rounds and the sites' contributions to them. Writes that also move the run's progress
 * (opening and completing a round) touch both tables in one transaction.
 */
export class RoundRepository {
  private readonly now: () => number;
  private readonly statements;

  constructor(
    private readonly db: Database,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    const key = 'run_id = @runId AND round_index = @round AND attempt = @attempt';
    this.statements = {
      runStatus: db.prepare<[string], { status: string }>('SELECT status FROM runs WHERE id = ?'),
      insert: db.prepare(
        "INSERT INTO rounds (run_id, round_index, attempt, phase, status, started_at, deadline_at) " +
          "VALUES (@runId, @round, @attempt, @phase, 'open', @at, @deadlineAt)",
      ),
      progress: db.prepare('UPDATE runs SET current_phase = @phase, current_round = @round WHERE id = @runId'),
      get: db.prepare<[RoundKey], RoundRow>(`SELECT * FROM rounds WHERE ${key}`),
      list: db.prepare<[string], RoundRow>('SELECT * FROM rounds WHERE run_id = ? ORDER BY round_index, attempt'),
      lastCompleted: db.prepare<[string], RoundRow>(
        "SELECT * FROM rounds WHERE run_id = ? AND status = 'completed' ORDER BY round_index DESC LIMIT 1",
      ),
      aggregating: db.prepare(`UPDATE rounds SET status = 'aggregating' WHERE ${key} AND status = 'open'`),
      complete: db.prepare(
        "UPDATE rounds SET status = 'completed', completed_at = @at, checkpoint_path = @checkpointPath, " +
          'checkpoint_sha256 = @checkpointSha256, state_path = @statePath, state_sha256 = @stateSha256, metrics = @metrics ' +
          `WHERE ${key} AND status IN ('open', 'aggregating')`,
      ),
      fail: db.prepare(
        `UPDATE rounds SET status = 'failed', completed_at = @at, error = @error WHERE ${key} AND status IN ('open', 'aggregating')`,
      ),
      failUnfinished: db.prepare(
        "UPDATE rounds SET status = 'failed', completed_at = @at, error = @error WHERE run_id = @runId AND status IN ('open', 'aggregating')",
      ),
      insertContribution: db.prepare(
        'INSERT INTO contributions (run_id, round_index, attempt, site_id, record_count, accepted, rejection_code, ' +
          'rejection_reason, metrics, received_at) VALUES (@runId, @round, @attempt, @siteId, @recordCount, @accepted, ' +
          '@rejectionCode, @rejectionReason, @metrics, @at)',
      ),
      contributionsOfRun: db.prepare<[string], ContributionRow>(
        'SELECT * FROM contributions WHERE run_id = ? ORDER BY round_index, attempt, site_id',
      ),
      contributionsOfRound: db.prepare<[RoundKey], ContributionRow>(`SELECT * FROM contributions WHERE ${key} ORDER BY site_id`),
      contribution: db.prepare<[RoundKey & { siteId: string }], ContributionRow>(`SELECT * FROM contributions WHERE ${key} AND site_id = @siteId`),
    };
  }

  /** Opens an attempt of a round, and marks it as the run's current round. */
  open(input: RoundKey & { phase: Phase; deadlineAt: number | null }): RoundRecord {
    // IMMEDIATE: the run's status is checked and the round written under one write lock.
    return this.db.transaction(() => {
      const run = this.statements.runStatus.get(input.runId);
      if (!run) throw new CoordinatorError(`no run with id ${JSON.stringify(input.runId)}`, 'RUN_NOT_FOUND');
      if (run.status !== 'running') {
        throw new CoordinatorError(`cannot open ${keyText(input)}: the run is ${run.status}`, 'RUN_STATE');
      }
      try {
        this.statements.insert.run({ ...input, at: this.now() });
      } catch (error) {
        if (isConstraintError(error)) throw new CoordinatorError(`${keyText(input)} already exists`, 'ROUND_EXISTS', { cause: error });
        throw error;
      }
      this.statements.progress.run({ runId: input.runId, phase: input.phase, round: input.round });
      return this.get(input);
    }).immediate();
  }

  findByKey(key: RoundKey): RoundRecord | undefined {
    const row = this.statements.get.get(pickKey(key));
    return row ? toRound(row) : undefined;
  }

  get(key: RoundKey): RoundRecord {
    const round = this.findByKey(key);
    if (!round) throw new CoordinatorError(`no ${keyText(key)}`, 'ROUND_NOT_FOUND');
    return round;
  }

  /** Every attempt of every round of a run, in order. */
  list(runId: string): RoundRecord[] {
    return this.statements.list.all(runId).map(toRound);
  }

  lastCompleted(runId: string): RoundRecord | undefined {
    const row = this.statements.lastCompleted.get(runId);
    return row ? toRound(row) : undefined;
  }

  markAggregating(key: RoundKey): void {
    this.expectChange(this.statements.aggregating.run(pickKey(key)).changes, key, 'aggregating');
  }

  /**
   * Records a round as completed with its checkpoint (already written and fsynced) and
   * metrics, and moves the run's progress to it: the commit point of a round.
   */
  complete(
    key: RoundKey,
    result: { checkpoint: FileRef; strategyState?: FileRef | null; metrics?: Readonly<Record<string, unknown>> },
  ): RoundRecord {
    return this.db.transaction(() => {
      const changes = this.statements.complete.run({
        ...pickKey(key),
        at: this.now(),
        checkpointPath: result.checkpoint.path,
        checkpointSha256: result.checkpoint.sha256,
        statePath: result.strategyState?.path ?? null,
        stateSha256: result.strategyState?.sha256 ?? null,
        metrics: toJsonColumn(result.metrics),
      }).changes;
      this.expectChange(changes, key, 'completed');
      const round = this.get(key);
      this.statements.progress.run({ runId: key.runId, phase: round.phase, round: round.round });
      return round;
    }).immediate();
  }

  fail(key: RoundKey, error: string): void {
    this.expectChange(this.statements.fail.run({ ...pickKey(key), at: this.now(), error }).changes, key, 'failed');
  }

  /**
   * Marks every open or aggregating attempt of a run as failed: on restart, the rounds a
   * crash interrupted. Returns how many there were.
   */
  failUnfinished(runId: string, error: string): number {
    return this.statements.failUnfinished.run({ runId, at: this.now(), error }).changes;
  }

  /** A site's answer to a round attempt, accepted or rejected (with code and reason). */
  recordContribution(input: ContributionInput): ContributionRecord {
    this.insertContribution(input);
    const row = this.statements.contribution.get({ ...pickKey(input), siteId: input.siteId });
    return toContribution(row!);
  }

  /**
   * Many answers in one transaction, through the one prepared statement: the round driver
   * writes an attempt's accepted results together with its outcome (completion or failure)
   * rather than one fsynced commit per result. Inside a caller's transaction (e.g. with
   * `complete`) they share its commit. All rows or none; returns how many were written.
   */
  recordContributions(inputs: readonly ContributionInput[]): number {
    if (inputs.length === 0) return 0;
    return this.db.transaction(() => {
      for (const input of inputs) this.insertContribution(input);
      return inputs.length;
    }).immediate();
  }

  private insertContribution(input: ContributionInput): void {
    if (!input.accepted && !input.rejection) {
      throw new CoordinatorError(`a rejected contribution of site ${input.siteId} needs a rejection code`, 'INVALID_CONTRIBUTION');
    }
    try {
      this.statements.insertContribution.run({
        ...pickKey(input),
        siteId: input.siteId,
        recordCount: input.recordCount,
        accepted: input.accepted ? 1 : 0,
        rejectionCode: input.rejection?.code ?? null,
        rejectionReason: input.rejection?.reason ?? null,
        metrics: toJsonColumn(input.metrics),
        at: input.receivedAt ?? this.now(),
      });
    } catch (error) {
      if (isConstraintError(error, 'PRIMARYKEY')) {
        throw new CoordinatorError(`site ${input.siteId} already contributed to ${keyText(input)}`, 'DUPLICATE_CONTRIBUTION', { cause: error });
      }
      if (isConstraintError(error, 'FOREIGNKEY')) {
        throw new CoordinatorError(`cannot record site ${input.siteId} for ${keyText(input)}: unknown site or round`, 'INVALID_CONTRIBUTION', {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** Contributions to one attempt, or to the whole run. */
  contributions(key: RoundKey | { runId: string }): ContributionRecord[] {
    const rows = 'round' in key ? this.statements.contributionsOfRound.all(pickKey(key)) : this.statements.contributionsOfRun.all(key.runId);
    return rows.map(toContribution);
  }

  private expectChange(changes: number, key: RoundKey, target: RoundStatus): void {
    if (changes > 0) return;
    const round = this.get(key);
    throw new CoordinatorError(`${keyText(key)} is ${round.status} and cannot become ${target}`, 'ROUND_STATE');
  }
}

/** Only the key fields, so a caller's larger object (a whole record) binds exactly the key. */
function pickKey(key: RoundKey): RoundKey {
  return { runId: key.runId, round: key.round, attempt: key.attempt };
}
