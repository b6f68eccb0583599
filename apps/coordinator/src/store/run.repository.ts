import type { Phase } from '@fedsynth/protocol';
import { randomUUID } from 'node:crypto';
import { CoordinatorError } from '../errors/coordinator-error';
import type { RunPlan } from '../rounds/run-plan';
import type { Database } from './database';
import { fromJsonColumn, isConstraintError } from './json-column';

export type RunStatus = 'created' | 'running' | 'stopped' | 'completed' | 'failed';

/** Run settings beyond the plan (strategy, model family, training options), as JSON. */
export type RunOptions = Readonly<Record<string, unknown>>;

export interface RunRecord {
  id: string;
  status: RunStatus;
  plan: RunPlan;
  options: RunOptions;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  /** The round in progress, or the last one completed. */
  currentPhase: Phase | null;
  currentRound: number | null;
  vocabulary: string[] | null;
  /** sha256 hex of the codes joined by "\n" (libs/gan's vocabularyHash). */
  vocabularyHash: string | null;
}

interface RunRow {
  id: string;
  status: RunStatus;
  plan: string;
  options: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  current_phase: Phase | null;
  current_round: number | null;
  vocabulary: string | null;
  vocabulary_hash: string | null;
}

function toRecord(row: RunRow): RunRecord {
  const where = `runs.%s of run ${row.id}`;
  return {
    id: row.id,
    status: row.status,
    plan: fromJsonColumn<RunPlan>(row.plan, where.replace('%s', 'plan'))!,
    options: fromJsonColumn<RunOptions>(row.options, where.replace('%s', 'options'))!,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    currentPhase: row.current_phase,
    currentRound: row.current_round,
    vocabulary: fromJsonColumn<string[]>(row.vocabulary, where.replace('%s', 'vocabulary')),
    vocabularyHash: row.vocabulary_hash,
  };
}

/** Which statuses a run may move to from each status. */
const NEXT_STATUS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  created: ['running', 'stopped', 'failed'],
  // A stopped run may be started again: it resumes at its last completed round.
  stopped: ['running'],
  running: ['stopped', 'completed', 'failed'],
  completed: [],
  failed: [],
};

/** Runs: their plan, status and progress. */
export class RunRepository {
  private readonly now: () => number;
  private readonly statements;

  constructor(
    private readonly db: Database,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.statements = {
      insert: db.prepare(
        "INSERT INTO runs (id, status, plan, options, created_at) VALUES (@id, 'created', @plan, @options, @createdAt)",
      ),
      byId: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
      all: db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY created_at, id'),
      byStatus: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE status = ? ORDER BY created_at, id'),
      setStatus: db.prepare(
        'UPDATE runs SET status = @status, error = @error, ' +
          'started_at = CASE WHEN @status = \'running\' THEN COALESCE(started_at, @at) ELSE started_at END, ' +
          "finished_at = CASE WHEN @status IN ('completed', 'failed', 'stopped') THEN @at ELSE NULL END " +
          'WHERE id = @id AND status = @from',
      ),
      setVocabulary: db.prepare('UPDATE runs SET vocabulary = ?, vocabulary_hash = ? WHERE id = ?'),
      setMarginalTarget: db.prepare('UPDATE runs SET marginal_target = ? WHERE id = ?'),
      marginalTarget: db.prepare<[string], { marginal_target: Buffer | null }>('SELECT marginal_target FROM runs WHERE id = ?'),
      setProgress: db.prepare('UPDATE runs SET current_phase = ?, current_round = ? WHERE id = ?'),
    };
  }

  create(input: { plan: RunPlan; options?: RunOptions; id?: string }): RunRecord {
    const id = input.id ?? randomUUID();
    try {
      this.statements.insert.run({
        id,
        plan: JSON.stringify(input.plan),
        options: JSON.stringify(input.options ?? {}),
        createdAt: this.now(),
      });
    } catch (error) {
      if (isConstraintError(error, 'PRIMARYKEY')) {
        throw new CoordinatorError(`a run with id ${JSON.stringify(id)} already exists`, 'RUN_EXISTS', { cause: error });
      }
      throw error;
    }
    return this.get(id);
  }

  findById(id: string): RunRecord | undefined {
    const row = this.statements.byId.get(id);
    return row ? toRecord(row) : undefined;
  }

  get(id: string): RunRecord {
    const run = this.findById(id);
    if (!run) throw new CoordinatorError(`no run with id ${JSON.stringify(id)}`, 'RUN_NOT_FOUND');
    return run;
  }

  list(options: { status?: RunStatus } = {}): RunRecord[] {
    const rows = options.status ? this.statements.byStatus.all(options.status) : this.statements.all.all();
    return rows.map(toRecord);
  }

  /** created or stopped → running. */
  start(id: string): RunRecord {
    return this.moveTo(id, 'running');
  }

  /** → completed, failed (with its error) or stopped. */
  finish(id: string, outcome: { status: 'completed' | 'failed' | 'stopped'; error?: string }): RunRecord {
    return this.moveTo(id, outcome.status, outcome.error);
  }

  setVocabulary(id: string, vocabulary: { codes: readonly string[]; hash: string }): void {
    if (this.statements.setVocabulary.run(JSON.stringify(vocabulary.codes), vocabulary.hash, id).changes === 0) this.get(id);
  }

  /**
   * A run's pooled marginal target (per code, float32), kept beside its vocabulary so a
   * restored run matches the same vector; not part of RunRecord (the API lists runs).
   */
  setMarginalTarget(id: string, target: Float32Array): void {
    const bytes = Buffer.from(new Uint8Array(target.buffer, target.byteOffset, target.byteLength));
    if (this.statements.setMarginalTarget.run(bytes, id).changes === 0) this.get(id);
  }

  /** The stored pooled marginal target, or undefined when the run has none. */
  marginalTarget(id: string): Float32Array | undefined {
    const row = this.statements.marginalTarget.get(id);
    if (!row) this.get(id); // throws naming the missing run
    const blob = row?.marginal_target;
    if (!blob) return undefined;
    if (blob.length % 4 !== 0) throw new CoordinatorError(`runs.marginal_target of run ${id} is ${blob.length} bytes, not float32 values`, 'STORE_CORRUPT');
    // Copied: the vector outlives the row buffer (little-endian hosts only, as checkpoints).
    return new Float32Array(Uint8Array.from(blob).buffer);
  }

  /** Records the round in progress (also written by RoundRepository in its transactions). */
  setProgress(id: string, progress: { phase: Phase; round: number }): void {
    if (this.statements.setProgress.run(progress.phase, progress.round, id).changes === 0) this.get(id);
  }

  private moveTo(id: string, status: RunStatus, error?: string): RunRecord {
    // IMMEDIATE: the status is read then written under the write lock, never upgraded mid-way.
    return this.db.transaction(() => {
      const run = this.get(id);
      if (!NEXT_STATUS[run.status].includes(status)) {
        throw new CoordinatorError(`run ${id} is ${run.status} and cannot become ${status}`, 'RUN_STATE');
      }
      this.statements.setStatus.run({ id, status, from: run.status, error: error ?? null, at: this.now() });
      return this.get(id);
    }).immediate();
  }
}
