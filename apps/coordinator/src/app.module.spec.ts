import { Test } from '@nestjs/testing';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { useTempDir } from './__fixtures__/temp-dir';
import { tensor } from './__fixtures__/weights';
import { AppModule } from './app.module';
import { CheckpointStore } from './checkpoints/checkpoint-store';
import { COORDINATOR_CONFIG } from './config/config.module';
import { loadCoordinatorConfig, type CoordinatorConfig } from './config/coordinator-config';
import { CoordinatorStore } from './store/coordinator-store';
import { SiteRepository } from './store/site.repository';
import { DATABASE } from './store/store.module';

describe('AppModule', () => {
  const dir = useTempDir();
  const config = (): CoordinatorConfig =>
    loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: 'test-admin-token-0123', FEDSYNTH_DATA_DIR: join(dir.path, 'data') });

  async function boot(options: Parameters<typeof AppModule.forRoot>[0]) {
    return Test.createTestingModule({ imports: [AppModule.forRoot(options)] }).compile();
  }

  it('boots against a SQLite file in the data directory and provides the store', async () => {
    const app = await boot({ config: config() });

    const sites = app.get(SiteRepository);
    const { token } = sites.register({ name: 'Hospital A', id: 'a' });
    const checkpoints = app.get(CheckpointStore);
    const saved = await checkpoints.save({ runId: 'run-1', round: 0, weights: [tensor('w', [1], [1])] });

    expect(app.get(COORDINATOR_CONFIG)).toMatchObject({ port: 8080 });
    expect(app.get(DATABASE)).toBe(app.get(CoordinatorStore).db);
    expect(existsSync(join(dir.path, 'data', 'coordinator.sqlite'))).toBe(true);
    expect(existsSync(join(dir.path, 'data', 'checkpoints', saved.path))).toBe(true);
    await app.close();
    expect(app.get(CoordinatorStore).db.open).toBe(false);

    // A second boot (a restart) sees what the first wrote.
    const again = await boot({ config: config() });
    expect(again.get(SiteRepository).authenticate('a', token)).toMatchObject({ ok: true });
    await again.close();
  });

  it('refuses to boot with a bad environment, listing every problem', async () => {
    await expect(boot({ env: { FEDSYNTH_PORT: 'x' } })).rejects.toThrow(
      /FEDSYNTH_PORT: must be an integer[\s\S]*FEDSYNTH_ADMIN_TOKEN: required/,
    );
  });
});
