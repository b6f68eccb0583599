import { Inject, Injectable } from '@nestjs/common';
import { exportModel, MANIFEST_FILE } from '@fedsynth/gan';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { COORDINATOR_CONFIG } from '../config/config.module';
import type { CoordinatorConfig } from '../config/coordinator-config';
import { CoordinatorError } from '../errors/coordinator-error';
import { checkRunOptions } from '../federation/run-options';
import { CoordinatorStore } from '../store/coordinator-store';
import { federatedPrivacyProvenance } from './federated-privacy';
import { averagedGenerator } from './averaged-generator';

/** Files of an export a client may fetch: the LayersModel, its weights, the manifest, the full state. */
export const GENERATOR_FILES = Object.freeze(['model.json', 'weights.bin', MANIFEST_FILE, 'state.bin']);

/**
 * The generator of a run's latest completed GAN round (averaged over the GAN rounds up to it,
 * see averaged-generator.ts), exported with libs/gan's exportModel
 * (model.json + weights.bin loadable by tf.loadLayersModel, fedsynth.json with the
 * federation's provenance) into `<dataDir>/exports/<run>/round-<n>/`, once per round.
 */
@Injectable()
export class GeneratorExportService {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    @Inject(CoordinatorStore) private readonly store: CoordinatorStore,
    @Inject(CheckpointStore) private readonly checkpoints: CheckpointStore,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  /**
   * The folder holding the export of the latest completed GAN round, or of the given
   * completed GAN round (0-based, as stored), written on first request.
   */
  async exportDir(runId: string, round?: number): Promise<string> {
    const run = this.store.runs.get(runId);
    const rounds = this.store.rounds.list(runId).filter((r) => r.status === 'completed' && r.phase === 'gan');
    const last = round === undefined ? rounds[rounds.length - 1] : rounds.find((r) => r.round === round);
    if (!last || !run.vocabulary || !run.vocabularyHash) {
      const which = round === undefined ? 'no completed GAN round yet' : `no completed GAN round ${round} (completed GAN rounds: ${rounds.map((r) => r.round).join(', ') || 'none'})`;
      throw new CoordinatorError(`run ${runId} has ${which}`, 'GENERATOR_NOT_READY');
    }
    const dir = join(this.config.dataDir, 'exports', runId, `round-${String(last.round).padStart(6, '0')}`);
    if (existsSync(join(dir, MANIFEST_FILE))) return dir;
    let pending = this.inFlight.get(dir);
    if (!pending) {
      pending = this.write(dir, run.id, last.round).finally(() => this.inFlight.delete(dir));
      this.inFlight.set(dir, pending);
    }
    return pending;
  }

  private async write(dir: string, runId: string, round: number): Promise<string> {
    const run = this.store.runs.get(runId);
    const record = this.store.rounds.list(runId).find((r) => r.round === round && r.status === 'completed')!;
    const options = checkRunOptions(run.options);
    const { model, rounds: averagedRounds, decay } = await averagedGenerator({
      rounds: this.store.rounds,
      checkpoints: this.checkpoints,
      runId,
      round,
      options,
      vocabularySize: run.vocabulary!.length,
    });
    try {
      const sites = this.store.rounds
        .contributions({ runId, round, attempt: record.attempt })
        .filter((c) => c.accepted)
        .map((c) => ({ siteId: c.siteId, recordCount: c.recordCount }));
      const privacy = federatedPrivacyProvenance(options, this.store.privacy.summary(runId));
      await exportModel(model, dir, {
        vocabulary: { codes: run.vocabulary!, hash: run.vocabularyHash! },
        metrics: {
          federation: {
            runId,
            round,
            attempt: record.attempt,
            strategy: options.strategy.name,
            sites,
            checkpointSha256: record.checkpoint!.sha256,
            ...(privacy ? { privacy } : {}),
            generatorAverage: { decay, ganRounds: averagedRounds, batchNormRecalibrated: decay > 0 },
          },
          training: record.metrics ?? {},
        },
      });
    } finally {
      model.dispose();
    }
    await this.auditExport(dir, runId, round, record.attempt);
    return dir;
  }

  /** One audit entry per export written, with the sha256 of each of its files (what a pull can be checked against). */
  private async auditExport(dir: string, runId: string, round: number, attempt: number): Promise<void> {
    const files: Record<string, string> = {};
    for (const file of GENERATOR_FILES) {
      const path = join(dir, file);
      if (existsSync(path)) files[file] = createHash('sha256').update(await readFile(path)).digest('hex');
    }
    this.store.audit.append({ actor: 'coordinator', action: 'generator.exported', subject: runId, details: { round, attempt, sha256: files } });
  }
}
