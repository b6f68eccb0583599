import { BadRequestException, Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RoundService } from '../federation/round.service';
import { GENERATOR_FILES, GeneratorExportService } from '../generator/generator-export.service';
import type { RunPlan } from '../rounds/run-plan';
import { CoordinatorStore } from '../store/coordinator-store';
import { AdminTokenGuard } from './admin-token.guard';
import { CoordinatorErrorFilter } from './coordinator-error.filter';

interface FileResponse {
  type(contentType: string): FileResponse;
  send(body: Buffer): void;
}

/** Runs: create, start, stop, list, inspect, and pull the generator (admin token required). */
@Controller('api/runs')
@UseGuards(AdminTokenGuard)
@UseFilters(CoordinatorErrorFilter)
export class RunsController {
  constructor(
    @Inject(RoundService) private readonly rounds: RoundService,
    @Inject(CoordinatorStore) private readonly store: CoordinatorStore,
    @Inject(GeneratorExportService) private readonly generators: GeneratorExportService,
  ) {}

  @Post()
  create(@Body() body: { plan?: Partial<RunPlan>; options?: unknown } | undefined) {
    return this.rounds.createRun({ plan: body?.plan, options: body?.options });
  }

  @Post(':id/start')
  @HttpCode(200)
  start(@Param('id') id: string) {
    return this.rounds.startRun(id);
  }

  @Post(':id/stop')
  @HttpCode(200)
  stop(@Param('id') id: string) {
    return this.rounds.stopRun(id);
  }

  @Get()
  list() {
    return this.store.runs.list();
  }

  /**
   * The run, its live stage, the sites connected vs needed (while a driver holds it: a run
   * waiting for its quorum shows how far it is), every round attempt, and its evaluations
   * with their combined metrics (each site's own metrics: GET :id/evaluations).
   */
  @Get(':id')
  get(@Param('id') id: string) {
    const run = this.store.runs.get(id);
    const live = this.rounds.liveState(id);
    return {
      run,
      stage: live?.stage ?? run.status,
      completedRounds: live?.completedRounds ?? null,
      sites: live ? { connected: live.connected.length, needed: live.plan.minSites } : null,
      rounds: this.store.rounds.list(id),
      // ε each site reported it had spent (DP runs), per site its latest, and the largest.
      privacy: this.store.privacy.summary(id),
      evaluations: this.store.evaluations.list(id).map(({ sites, ...evaluation }) => ({
        ...evaluation,
        sites: sites.map(({ metrics: _metrics, ...site }) => site),
      })),
    };
  }

  /** Every evaluation round of a run: combined metrics, and each asked site's metrics or failure. */
  @Get(':id/evaluations')
  evaluations(@Param('id') id: string) {
    this.store.runs.get(id); // 404 for an unknown run rather than an empty list
    return this.store.evaluations.list(id);
  }

  /**
   * One file of the exported generator, so `tf.loadLayersModel(tf.io.http(base + '/model.json',
   * { requestInit: { headers } }))` loads it directly: weights.bin is fetched beside it.
   * `?round=N` (0-based, as stored) picks a completed GAN round other than the latest.
   */
  @Get(':id/generator/:file')
  async generatorFile(@Param('id') id: string, @Param('file') file: string, @Query('round') round: string | undefined, @Res() response: FileResponse): Promise<void> {
    if (!GENERATOR_FILES.includes(file)) throw new NotFoundException(`no generator file ${file}; files: ${GENERATOR_FILES.join(', ')}`);
    if (round !== undefined && !/^\d{1,9}$/.test(round)) throw new BadRequestException(`round must be a round number (0, 1, 2, ...), got ${JSON.stringify(round)}`);
    const dir = await this.generators.exportDir(id, round === undefined ? undefined : Number(round));
    const bytes = await readFile(join(dir, file));
    response.type(file.endsWith('.json') ? 'application/json' : 'application/octet-stream').send(bytes);
  }
}
