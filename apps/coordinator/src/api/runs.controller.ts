import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
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

  @Get(':id')
  get(@Param('id') id: string) {
    const run = this.store.runs.get(id);
    const live = this.rounds.liveState(id);
    return { run, stage: live?.stage ?? run.status, completedRounds: live?.completedRounds ?? null, rounds: this.store.rounds.list(id) };
  }

  /**
   * One file of the exported generator, so `tf.loadLayersModel(tf.io.http(base + '/model.json',
   * { requestInit: { headers } }))` loads it directly: weights.bin is fetched beside it.
   */
  @Get(':id/generator/:file')
  async generatorFile(@Param('id') id: string, @Param('file') file: string, @Res() response: FileResponse): Promise<void> {
    if (!GENERATOR_FILES.includes(file)) throw new NotFoundException(`no generator file ${file}; files: ${GENERATOR_FILES.join(', ')}`);
    const dir = await this.generators.exportDir(id);
    const bytes = await readFile(join(dir, file));
    response.type(file.endsWith('.json') ? 'application/json' : 'application/octet-stream').send(bytes);
  }
}
