import { Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { COORDINATOR_CONFIG } from '../config/config.module';
import type { CoordinatorConfig } from '../config/coordinator-config';
import { AuditRepository } from './audit.repository';
import { CoordinatorStore } from './coordinator-store';
import { RoundRepository } from './round.repository';
import { RunRepository } from './run.repository';
import { SiteRepository } from './site.repository';

/** DI token of the raw better-sqlite3 connection, for the rare query no repository covers. */
export const DATABASE = Symbol('DATABASE');

/** Closes the database when the application shuts down, checkpointing the WAL into the file. */
@Injectable()
export class StoreLifecycle implements OnModuleDestroy {
  constructor(@Inject(CoordinatorStore) private readonly store: CoordinatorStore) {}

  onModuleDestroy(): void {
    this.store.close();
  }
}

/**
 * The durable state as Nest providers: the SQLite store opened (and migrated) at
 * `config.databasePath`, its repositories, and the checkpoint store under
 * `config.checkpointDir`. Repositories are plain classes built by the store, so they stay
 * usable (and tested) without Nest.
 */
@Module({
  providers: [
    {
      provide: CoordinatorStore,
      useFactory: (config: CoordinatorConfig) => CoordinatorStore.open({ path: config.databasePath }),
      inject: [COORDINATOR_CONFIG],
    },
    { provide: DATABASE, useFactory: (store: CoordinatorStore) => store.db, inject: [CoordinatorStore] },
    { provide: SiteRepository, useFactory: (store: CoordinatorStore) => store.sites, inject: [CoordinatorStore] },
    { provide: RunRepository, useFactory: (store: CoordinatorStore) => store.runs, inject: [CoordinatorStore] },
    { provide: RoundRepository, useFactory: (store: CoordinatorStore) => store.rounds, inject: [CoordinatorStore] },
    { provide: AuditRepository, useFactory: (store: CoordinatorStore) => store.audit, inject: [CoordinatorStore] },
    {
      provide: CheckpointStore,
      useFactory: (config: CoordinatorConfig) => new CheckpointStore({ directory: config.checkpointDir }),
      inject: [COORDINATOR_CONFIG],
    },
    StoreLifecycle,
  ],
  exports: [CoordinatorStore, DATABASE, SiteRepository, RunRepository, RoundRepository, AuditRepository, CheckpointStore],
})
export class StoreModule {}
