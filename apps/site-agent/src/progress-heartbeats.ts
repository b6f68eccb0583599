import type { Heartbeat, SiteState } from '@fedsynth/protocol';

/** Fraction of a training phase's planned steps done, in [0, 1] (0 when nothing is planned). */
export function trainProgress(log: { readonly step: number; readonly epochs: number; readonly stepsPerEpoch: number }): number {
  const planned = log.epochs * log.stepsPerEpoch;
  if (!(planned > 0) || !Number.isFinite(log.step)) return 0;
  return Math.min(1, Math.max(0, log.step / planned));
}

export interface ProgressHeartbeatsOptions {
  /** Sends one heartbeat; failures are the sender's to swallow (progress is best effort). */
  send(heartbeat: Heartbeat): void;
  /** At most one heartbeat per this many ms while a task runs (its start and end always go). Default 1000. */
  minIntervalMs?: number;
  now?: () => number;
}

/**
 * Tells the coordinator how far the site's current task is (Heartbeat.progress), so the
 * dashboard can show each site's progress within a round. Throttled, because a small task
 * logs hundreds of steps a second and a coordinator may hold hundreds of sites; the start
 * (0) and the end (1) of a task are always sent, and a task's progress never goes backwards.
 * Only a fraction, run id and round leave the site: nothing about its records.
 */
export class ProgressHeartbeats {
  private task: { runId: string; round: number; state: Exclude<SiteState, 'idle'> } | undefined;
  private progress = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private readonly minIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProgressHeartbeatsOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  begin(task: { runId: string; round: number }, state: Exclude<SiteState, 'idle'>): void {
    this.task = { runId: task.runId, round: task.round, state };
    this.progress = 0;
    this.sendNow();
  }

  update(progress: number): void {
    if (!this.task || !Number.isFinite(progress)) return;
    this.progress = Math.max(this.progress, Math.min(1, Math.max(0, progress)));
    if (this.now() - this.lastSentAt >= this.minIntervalMs) this.sendNow();
  }

  /** The task is done (its result is about to be sent): progress 1, then nothing until the next begin. */
  end(): void {
    if (!this.task) return;
    this.progress = 1;
    this.sendNow();
    this.task = undefined;
  }

  private sendNow(): void {
    const task = this.task!;
    const at = this.now();
    this.lastSentAt = at;
    this.options.send({ sentAtUnixMs: at, state: task.state, runId: task.runId, round: task.round, progress: this.progress });
  }
}
